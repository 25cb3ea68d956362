//! The options that make an instance bind an address and serve requests there, with what its
//! clients speak, and the longest unix socket path uWSGI binds.
//!
//! The list is uWSGI 2.0's option table, complete: every `*-socket` option that binds one
//! (`uwsgi --help`: "bind to the specified UNIX/TCP socket using ..."), the shared sockets
//! that others use as `=N`, and the routers that listen on an address of their own (`http`,
//! `https`, `https2`, `fastrouter`, `rawrouter`, `sslrouter`, `sslrouter2`). Stats, subscription
//! and similar servers are no public address and are not listed.

use crate::config::Protocol;

/// One option that binds an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bind {
    /// The option name.
    pub name: &'static str,
    /// What its clients speak, in words for messages.
    pub speaks: &'static str,
    /// The protocol a zergling answers the pool's socket in for those clients (uwsgi, or HTTP
    /// with `protocol: http`), or `None` when the zerglings cannot serve them that way.
    pub protocol: Option<Protocol>,
    /// Whether the clients speak TLS, which needs a certificate the pool does not pass on.
    pub tls: bool,
}

const fn bind(name: &'static str, speaks: &'static str, protocol: Option<Protocol>) -> Bind {
    Bind { name, speaks, protocol, tls: false }
}

const fn tls(name: &'static str, speaks: &'static str) -> Bind {
    Bind { name, speaks, protocol: None, tls: true }
}

const UWSGI: Option<Protocol> = Some(Protocol::Uwsgi);
const HTTP: Option<Protocol> = Some(Protocol::Http);

/// Every option of uWSGI 2.0 that binds an address to serve requests on.
pub const BIND_OPTIONS: &[Bind] = &[
    bind("socket", "uwsgi", UWSGI),
    bind("uwsgi-socket", "uwsgi", UWSGI),
    tls("suwsgi-socket", "uwsgi over TLS"),
    tls("ssl-socket", "uwsgi over TLS"),
    bind("http-socket", "HTTP", HTTP),
    bind("http11-socket", "HTTP", HTTP),
    tls("https-socket", "HTTPS"),
    bind("fastcgi-socket", "FastCGI", None),
    bind("fastcgi-nph-socket", "FastCGI", None),
    bind("scgi-socket", "SCGI", None),
    bind("scgi-nph-socket", "SCGI", None),
    bind("raw-socket", "raw TCP", None),
    bind("puwsgi-socket", "persistent uwsgi", None),
    bind("shared-socket", "no protocol of its own (another option uses it as `=N`)", None),
    bind(
        "undeferred-shared-socket",
        "no protocol of its own (another option uses it as `=N`)",
        None,
    ),
    bind("http", "HTTP", HTTP),
    bind("httprouter", "HTTP", HTTP),
    tls("https", "HTTPS"),
    tls("https2", "HTTPS"),
    bind("fastrouter", "uwsgi", UWSGI),
    bind("rawrouter", "raw TCP", None),
    tls("sslrouter", "TLS"),
    tls("sslrouter2", "TLS"),
];

/// The bind option of this name, if it is one. Names match exactly: uWSGI takes
/// `http_socket` for a placeholder, not for `http-socket`.
pub fn bind_option(key: &str) -> Option<&'static Bind> {
    BIND_OPTIONS.iter().find(|b| b.name == key)
}

/// Whether an option binds an address.
pub fn is_bind(key: &str) -> bool {
    bind_option(key).is_some()
}

/// The longest unix socket path uWSGI binds: `bind_to_unix` (`core/socket.c`) refuses a longer
/// one with "invalid socket name" and exits, for worker sockets, the stats server and the
/// zergpool alike (seen with 2.0.21 and 2.0.31: 102 bytes bind, 103 do not), below Linux's own
/// 107.
pub const MAX_UNIX_SOCKET: usize = 102;

/// The length of a unix socket path that is too long for uWSGI to bind, if it is; an abstract
/// socket (`@name`) or a host:port address is not checked.
pub fn unix_socket_too_long(path: &str) -> Option<usize> {
    let unix = path.starts_with('/') || !(path.starts_with('@') || path.contains(':'));
    (unix && path.len() > MAX_UNIX_SOCKET).then_some(path.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uwsgi::option_table;

    #[test]
    fn every_socket_binding_option_of_the_table_is_a_bind() {
        // The `*-socket` options of uWSGI 2.0.21's table that bind nothing themselves.
        let not_binds = [
            "abstract-socket",
            "chmod-socket",
            "chown-socket",
            "map-socket",
            "emperor-proxy-socket",
            "setns-socket",
            "wait-for-socket",
            "notify-socket",
            "subscription-notify-socket",
            "log-socket",
            "http-use-socket",
            "fastrouter-use-socket",
            "rawrouter-use-socket",
            "sslrouter-use-socket",
        ];
        for name in option_table::names().filter(|n| n.ends_with("-socket")) {
            assert_eq!(is_bind(name), !not_binds.contains(&name), "{name}");
        }
        for bind in BIND_OPTIONS {
            assert!(option_table::lookup(bind.name).is_some(), "{}", bind.name);
        }
    }

    #[test]
    fn binds_and_what_they_speak() {
        assert_eq!(bind_option("socket").and_then(|b| b.protocol), Some(Protocol::Uwsgi));
        assert_eq!(bind_option("http-socket").and_then(|b| b.protocol), Some(Protocol::Http));
        assert!(bind_option("https2").is_some_and(|b| b.tls));
        assert!(bind_option("fastcgi-nph-socket").is_some_and(|b| b.protocol.is_none()));
        assert!(is_bind("scgi-nph-socket") && is_bind("sslrouter") && is_bind("httprouter"));
        assert!(!is_bind("http_socket") && !is_bind("stats") && !is_bind("zergpool"));
    }

    #[test]
    fn unix_sockets_longer_than_uwsgi_binds() {
        let fits = format!("/{}", "s".repeat(MAX_UNIX_SOCKET - 1));
        assert_eq!(unix_socket_too_long(&fits), None);
        assert_eq!(unix_socket_too_long(&format!("{fits}x")), Some(103));
        assert_eq!(unix_socket_too_long(&format!("@{}", "s".repeat(200))), None);
        assert_eq!(unix_socket_too_long(&format!("{}:80", "h".repeat(200))), None);
        assert_eq!(unix_socket_too_long(&"s".repeat(103)), Some(103));
    }
}
