//! ZC306 malformed-zergpool: a `zergpool` value uWSGI cannot use.
//!
//! `zergpool: <unix socket>:<address>[,<address>...]` is split at the first `:`. Without a `:`
//! uWSGI stops at start; with a network address first (`127.0.0.1:8080:...`), the part before
//! the first `:` becomes a unix socket path such as `127.0.0.1` and the zerglings attach to
//! something else than intended. A unix socket path longer than uWSGI binds (102 bytes), the
//! pool's own or a public one, stops the pool at start ("invalid socket name").

use super::syntax::{uwsgi_files, value_or_key};
use crate::lint::{FileSet, Finding, Rule, RuleInfo, Severity};
use crate::source::Span;
use crate::uwsgi::{UwsgiOption, binds};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC306",
    name: "malformed-zergpool",
    severity: Severity::Error,
    summary: "a `zergpool` value without `:`, whose socket part is not a unix path or \
              `@abstract` name, or with a unix socket path longer than uWSGI binds",
    why: "uWSGI splits `zergpool` at its first `:`: the part before it is the unix socket the \
          zerglings attach to (a path, or `@name` for an abstract socket), the rest the public \
          addresses the pool holds. Without a `:` the pool does not start; with a host or port \
          before the first `:`, the pool creates a unix socket named like an address and the \
          zerglings' `zerg` never matches it. uWSGI binds no unix socket path longer than 102 \
          bytes: it exits with \"invalid socket name\", and the Emperor respawns the pool in a \
          loop.",
    bad: "uwsgi:\n  zergpool: 127.0.0.1:8080\n",
    good: "uwsgi:\n  zergpool: /srv/galaxy/var/zergpool.sock:127.0.0.1:8080\n",
};

/// The rule.
pub struct MalformedZergpool;

impl Rule for MalformedZergpool {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file, options) in uwsgi_files(set) {
            for option in options.iter().filter(|o| o.key == "zergpool" || o.key == "zerg-pool") {
                if let Some((span, message, label)) = problem(&file.source.text, option) {
                    out.push(Finding::new(
                        &RULE,
                        index,
                        span,
                        message,
                        label,
                        format!(
                            "put the pool's unix socket first: `{}: \
                             /srv/galaxy/var/zergpool.sock:127.0.0.1:8080` (the socket path, a \
                             `:`, then the public address)",
                            option.key
                        ),
                    ));
                } else if let Some((span, path, length)) = too_long(&file.source.text, option) {
                    out.push(Finding::new(
                        &RULE,
                        index,
                        span,
                        format!(
                            "the unix socket `{path}` is {length} bytes long; uWSGI binds unix \
                             sockets of at most {} bytes and stops the pool with \"invalid \
                             socket name\"",
                            binds::MAX_UNIX_SOCKET
                        ),
                        "too long to bind",
                        "choose a shorter path (`/srv/galaxy/var/zergpool.sock`), and the same \
                         in the zerglings' `zerg` lines",
                    ));
                }
            }
        }
    }
}

/// The first unix socket path of a well-formed `zergpool` value, the pool's own or a public
/// one, that is too long for uWSGI to bind: its bytes, the path and its length.
fn too_long(text: &str, option: &UwsgiOption) -> Option<(Span, String, usize)> {
    let (socket, addresses) = option.value.split_once(':')?;
    let mut offset = 0;
    for part in std::iter::once(socket).chain(addresses.split(',')) {
        let lead = part.len() - part.trim_start().len();
        let path = part.trim();
        if let Some(length) = binds::unix_socket_too_long(path) {
            let at = offset + lead;
            let span = option.value_sub_span(text, at..at + path.len());
            return Some((span, path.to_string(), length));
        }
        offset += part.len() + 1;
    }
    None
}

/// What is wrong with one `zergpool` value, if anything.
fn problem(text: &str, option: &UwsgiOption) -> Option<(Span, String, &'static str)> {
    let value = option.value.as_str();
    let Some((socket, addresses)) = value.split_once(':') else {
        return Some((
            value_or_key(option),
            format!(
                "`{}: {value}` has no `:`, so uWSGI has no address to pool and stops",
                option.key
            ),
            "no `:`",
        ));
    };

    let socket_span = option.value_sub_span(text, 0..socket.len());
    if socket.trim().is_empty() {
        return Some((
            value_or_key(option),
            format!(
                "`{}` has nothing before its first `:`: the pool has no unix socket",
                option.key
            ),
            "no socket",
        ));
    }
    if looks_like_network(socket) {
        return Some((
            socket_span,
            format!(
                "`{socket}` before the first `:` is taken as the pool's unix socket path, but it \
                 is a host or port"
            ),
            "not a unix socket",
        ));
    }

    let mut offset = socket.len() + 1;
    for address in addresses.split(',') {
        let range = offset..offset + address.len();
        offset += address.len() + 1;
        if address.trim().is_empty() {
            let span = if range.is_empty() {
                value_or_key(option)
            } else {
                option.value_sub_span(text, range)
            };
            return Some((
                span,
                format!("`{}` has an empty address after the socket", option.key),
                "empty address",
            ));
        }
    }
    None
}

/// Whether the socket part is a host, an IP address or a port rather than a unix path.
fn looks_like_network(socket: &str) -> bool {
    let s = socket.trim();
    s == "localhost"
        || s == "*"
        || s.starts_with('[')
        || (!s.starts_with('@')
            && !s.contains('/')
            && s.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set_at};

    fn spans(value: &str) -> Vec<String> {
        let text = format!("uwsgi:\n  master: true\n  zergpool: {value}\n");
        let files = set_at(&[("/srv/galaxy/vassals/vassal-zergpool.yml", text.as_str())]);
        check(&MalformedZergpool, &files).iter().map(|f| text[f.span.clone()].to_string()).collect()
    }

    #[test]
    fn good_values() {
        assert!(spans("/srv/galaxy/var/zergpool.sock:127.0.0.1:8080").is_empty());
        assert!(spans("@galaxy-zerg:127.0.0.1:8080,127.0.0.1:8081").is_empty());
        assert!(spans("var/zergpool.sock:0.0.0.0:80").is_empty());
    }

    #[test]
    fn bad_values() {
        assert_eq!(spans("/srv/galaxy/var/zergpool.sock"), vec!["/srv/galaxy/var/zergpool.sock"]);
        assert_eq!(spans("127.0.0.1:8080"), vec!["127.0.0.1"]);
        assert_eq!(spans("localhost:8080"), vec!["localhost"]);
        assert_eq!(spans(":8080"), vec![":8080"]);
        assert_eq!(spans("/x.sock:127.0.0.1:80,"), vec!["/x.sock:127.0.0.1:80,"]);
    }

    #[test]
    fn unix_sockets_longer_than_uwsgi_binds() {
        // 103 bytes: uWSGI 2.0.21 and 2.0.31 stop the pool with "invalid socket name".
        let long = format!("/srv/{}.sock", "s".repeat(93));
        assert_eq!(long.len(), 103);
        assert_eq!(spans(&format!("{long}:127.0.0.1:8080")), vec![long.clone()]);
        assert_eq!(spans(&format!("/run/z.sock:127.0.0.1:8080, {long}")), vec![long.clone()]);
        let fits = format!("/srv/{}.sock", "s".repeat(92));
        assert!(spans(&format!("{fits}:127.0.0.1:8080,{fits}")).is_empty());
        assert!(spans(&format!("@{}:127.0.0.1:8080", "a".repeat(200))).is_empty());
    }
}
