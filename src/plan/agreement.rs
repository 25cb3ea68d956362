//! What galaxy.yml's `uwsgi:` section and zerg.toml must agree on: the directory Galaxy runs in
//! (`chdir`, layout.server), the virtualenv (`virtualenv`, layout.venv), and a public address
//! the zergpool can hold. Where they disagree the build stops at galaxy.yml's line rather than
//! silently preferring one of them.

use std::path::Path;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::galaxy::GalaxyYml;
use crate::paths;
use crate::uwsgi::{UwsgiOption, binds};

use super::Public;

const CODE: &str = "zergcfg::galaxy";

/// The names uWSGI's Python plugin takes for the virtualenv.
const VIRTUALENV: &[&str] = &["virtualenv", "venv", "home", "pyhome"];

/// Checks `chdir` and the virtualenv of galaxy.yml's uwsgi section against zerg.toml, and the
/// public address the pool is to hold.
///
/// # Errors
/// A `chdir` other than layout.server, a virtualenv other than layout.venv, a TLS address, or
/// an address of several comma-separated entries; each at its line.
pub fn check(config: &Config, galaxy: &GalaxyYml, public: &Public) -> Result<()> {
    for option in &galaxy.uwsgi {
        // A relative `chdir` is taken from wherever uWSGI was started: the Emperor's vassals
        // directory for zergling A, the administrator's directory for the restarter.
        let relative = !Path::new(&option.value).is_absolute();
        if option.key == "chdir"
            && (relative || differs(&config.server, Path::new("/"), &option.value))
        {
            return Err(disagreement(
                galaxy,
                option,
                format!(
                    "galaxy.yml runs Galaxy in {}, but layout.server in zerg.toml is {}",
                    option.value,
                    config.server.display()
                ),
                "both zerglings chdir to layout.server",
                if relative {
                    "remove this line: both zerglings chdir to layout.server, which zerg.toml \
                     sets (an absolute path)"
                        .to_string()
                } else {
                    format!(
                        "set `server = \"{}\"` under [layout] in zerg.toml, or remove this line",
                        paths::normalize(Path::new(&option.value)).display()
                    )
                },
            ));
        }
        if VIRTUALENV.contains(&option.key.as_str())
            && differs(&config.venv, &config.server, &option.value)
        {
            return Err(disagreement(
                galaxy,
                option,
                format!(
                    "galaxy.yml runs Galaxy in the virtualenv {}, but layout.venv in zerg.toml \
                     is {}",
                    paths::resolve(&config.server, &option.value).display(),
                    config.venv.display()
                ),
                "the virtualenv of both zerglings",
                format!(
                    "set `venv = \"{}\"` under [layout] in zerg.toml (the printed commands run \
                     its bin/uwsgi unless uwsgi.binary says otherwise), or correct this line",
                    paths::resolve(&config.server, &option.value).display()
                ),
            ));
        }
    }
    public_address(config, galaxy, public)
}

/// Whether a path value of galaxy.yml (relative ones against `base`, as uWSGI reads them
/// after its `chdir`) names another place than `expected`. A value holding a placeholder or
/// an environment variable cannot be compared and is taken to agree.
fn differs(expected: &Path, base: &Path, value: &str) -> bool {
    if value.contains("%(") || value.contains("$(") || value.is_empty() {
        return false;
    }
    paths::resolve(base, value) != expected
}

fn disagreement(
    galaxy: &GalaxyYml,
    option: &UwsgiOption,
    message: String,
    label: &str,
    help: String,
) -> Error {
    Error::at(CODE, &galaxy.source, option.value_span.clone(), message, label).with_help(help)
}

/// The address the pool holds must be one plain socket address.
fn public_address(config: &Config, galaxy: &GalaxyYml, public: &Public) -> Result<()> {
    let from_galaxy =
        galaxy.uwsgi.iter().find(|o| binds::is_bind(&o.key) && o.value == public.address);
    let bind = from_galaxy.and_then(|o| Some((o, binds::bind_option(&o.key)?)));

    if let Some((option, _)) = bind.filter(|(_, b)| b.tls) {
        return Err(Error::at(
            CODE,
            &galaxy.source,
            option.key_span.clone(),
            format!(
                "`{}` serves TLS, which the zergpool cannot hold: it passes the zerglings \
                 plain sockets, without the certificate",
                option.key
            ),
            "a TLS address",
        )
        .with_help(
            "terminate TLS in nginx (or another proxy) in front of Galaxy and bind a plain \
             address here (`socket:` for uwsgi_pass, `http-socket:` for proxy_pass), which \
             the pool then holds",
        ));
    }
    if let Some((option, bind)) = bind.filter(|(_, b)| b.protocol.is_none()) {
        return Err(Error::at(
            CODE,
            &galaxy.source,
            option.key_span.clone(),
            format!(
                "`{}` speaks {}, which the zerglings cannot answer on the pool's socket: they \
                 speak uwsgi, or HTTP with `protocol: http`",
                option.key, bind.speaks
            ),
            "clients here would not be understood",
        )
        .with_help(
            "bind the address with `socket:` (nginx `uwsgi_pass`) or `http-socket:` \
             (`proxy_pass`) instead, which the pool then holds",
        ));
    }

    if let Some(length) =
        binds::unix_socket_too_long(&public.address).filter(|_| public.address.starts_with('/'))
    {
        let message = format!(
            "the public unix socket {} is {length} bytes long; uWSGI binds unix sockets of at \
             most {} bytes",
            public.address,
            binds::MAX_UNIX_SOCKET
        );
        return Err(address_error(
            config,
            galaxy,
            from_galaxy,
            None,
            message,
            "the pool binds this",
        )
        .with_help("choose a shorter path for the public socket"));
    }

    let Some(comma) = public.address.find(',') else {
        return Ok(());
    };
    let message = format!(
        "the public address {} has several comma-separated entries: the zergpool would bind \
         each of them as an address",
        public.address
    );
    let label = "a second entry starts here";
    Err(address_error(config, galaxy, from_galaxy, Some(comma..comma + 1), message, label)
        .with_help("give the pool one address (host:port, or a unix socket path)"))
}

/// An error about the public address, at zerg.toml's `pool.address` when it sets the address,
/// else at galaxy.yml's bind option (at `within` its value, when given).
fn address_error(
    config: &Config,
    galaxy: &GalaxyYml,
    from_galaxy: Option<&UwsgiOption>,
    within: Option<std::ops::Range<usize>>,
    message: String,
    label: &str,
) -> Error {
    if let (None, Some(option)) = (&config.pool_address, from_galaxy) {
        let span = within.map_or_else(
            || option.value_span.clone(),
            |range| option.value_sub_span(&galaxy.source.text, range),
        );
        return Error::at(CODE, &galaxy.source, span, message, label);
    }
    let span = config.origin_span(&["pool", "address"]);
    Error::at("zergcfg::config", &config.source, span, message, label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn check_with(toml: &str, uwsgi: &str) -> Result<()> {
        let config = Config::parse(Source::new("zerg.toml", toml)).unwrap();
        let text = format!("uwsgi:\n{uwsgi}  mule: a.py\n  farm: job-handlers:1\n");
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        let public = super::super::public_address(&config, &galaxy)?;
        check(&config, &galaxy, &public)
    }

    #[test]
    fn a_chdir_elsewhere_than_the_server_is_refused_an_equal_one_is_not() {
        let error = check_with("", "  socket: :8080\n  chdir: /opt/galaxy\n").unwrap_err();
        assert!(error.message().contains("/opt/galaxy"), "{}", error.message());
        assert!(check_with("", "  socket: :8080\n  chdir: /srv/galaxy/server/\n").is_ok());
        assert!(check_with("", "  socket: :8080\n  chdir: .\n").is_err(), "relative to what?");
        assert!(check_with("", "  socket: :8080\n  chdir: /opt/%(galaxy)/server\n").is_ok());
    }

    #[test]
    fn a_virtualenv_elsewhere_than_layout_venv_is_refused() {
        let error = check_with("", "  socket: :8080\n  virtualenv: /opt/venv\n").unwrap_err();
        assert!(error.message().contains("/opt/venv"), "{}", error.message());
        assert!(check_with("", "  socket: :8080\n  home: /srv/galaxy/venv\n").is_ok());
        assert!(
            check_with("", "  socket: :8080\n  venv: ../venv\n").is_ok(),
            "relative to the server"
        );
        let moved = "[layout]\nvenv = \"/opt/venv\"\n";
        assert!(check_with(moved, "  socket: :8080\n  virtualenv: /opt/venv\n").is_ok());
    }

    #[test]
    fn tls_and_several_addresses_are_refused() {
        let https = "  https: 0.0.0.0:8443,/etc/ssl/g.crt,/etc/ssl/g.key\n";
        let error = check_with("", https).unwrap_err();
        assert!(error.message().contains("TLS"), "{}", error.message());
        let two = check_with("", "  http-socket: 127.0.0.1:8080,[::1]:8080\n").unwrap_err();
        assert_eq!(two.span(), Some(36..37));
        let toml = "[pool]\naddress = \"a:1,b:2\"\n";
        assert!(check_with(toml, "  processes: 2\n").is_err());
        assert!(check_with("", "  http: :8080\n").is_ok());
        // Every TLS bind of uWSGI's, and the ones the zerglings cannot speak.
        for key in ["https2", "sslrouter", "suwsgi-socket"] {
            let error = check_with("", &format!("  {key}: 0.0.0.0:8443\n")).unwrap_err();
            assert!(error.message().contains("serves TLS"), "{key}: {}", error.message());
        }
        for key in ["fastcgi-socket", "scgi-nph-socket", "raw-socket", "shared-socket"] {
            let error = check_with("", &format!("  {key}: 127.0.0.1:9000\n")).unwrap_err();
            assert!(error.message().contains("cannot answer"), "{key}: {}", error.message());
        }
        assert!(check_with("", "  fastrouter: :3017\n").is_ok());
        let long = format!("  socket: /run/{}.sock\n", "s".repeat(100));
        assert!(check_with("", &long).unwrap_err().message().contains("bytes long"));
        // 103 bytes: more than uWSGI binds, less than Linux's 107.
        let long = format!("  socket: /run/{}.sock\n", "s".repeat(93));
        assert!(check_with("", &long).unwrap_err().message().contains("103 bytes long"));
        let fits = format!("  socket: /run/{}.sock\n", "s".repeat(92));
        assert!(check_with("", &fits).is_ok());
    }
}
