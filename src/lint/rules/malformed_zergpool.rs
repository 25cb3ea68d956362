//! ZC306 malformed-zergpool: a `zergpool` value uWSGI cannot use.
//!
//! `zergpool: <unix socket>:<address>[,<address>...]` is split at the first `:`. Without a `:`
//! uWSGI stops at start; with a network address first (`127.0.0.1:8080:...`), the part before
//! the first `:` becomes a unix socket path such as `127.0.0.1` and the zerglings attach to
//! something else than intended.

use super::syntax::{uwsgi_files, value_or_key};
use crate::lint::{FileSet, Finding, Rule, RuleInfo, Severity};
use crate::uwsgi::UwsgiOption;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC306",
    name: "malformed-zergpool",
    severity: Severity::Error,
    summary: "a `zergpool` value without `:`, or whose socket part is not a unix path or \
              `@abstract` name",
    why: "uWSGI splits `zergpool` at its first `:`: the part before it is the unix socket the \
          zerglings attach to (a path, or `@name` for an abstract socket), the rest the public \
          addresses the pool holds. Without a `:` the pool does not start; with a host or port \
          before the first `:`, the pool creates a unix socket named like an address and the \
          zerglings' `zerg` never matches it.",
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
                }
            }
        }
    }
}

/// What is wrong with one `zergpool` value, if anything.
fn problem(
    text: &str,
    option: &UwsgiOption,
) -> Option<(crate::source::Span, String, &'static str)> {
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
}
