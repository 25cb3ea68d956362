//! From galaxy.yml's `uwsgi:` section to the option lists of the pool, zergling A and the
//! restarter: what is kept, what is dropped because the dance owns it, and what is added.

use std::path::Path;

use crate::config::{Config, Packaging, Protocol};
use crate::error::{Error, Result};
use crate::galaxy::GalaxyYml;
use crate::source::{Source, Span};
use crate::uwsgi::{self, UwsgiOption, portable};

const CODE: &str = "zergcfg::galaxy";

/// One option to write, with where it came from (for error messages).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    /// Option name.
    pub key: String,
    /// Value, inside the portable subset.
    pub value: String,
}

impl Line {
    fn new(key: &str, value: impl Into<String>) -> Self {
        Self { key: key.to_string(), value: value.into() }
    }
}

/// Options each zergling must own alone (A and B run at the same time), so galaxy.yml's values
/// are replaced by the dance's own.
const PER_INSTANCE: &[&str] = &[
    "master-fifo",
    "pidfile",
    "pidfile2",
    "safe-pidfile",
    "safe-pidfile2",
    "logto",
    "logto2",
    "daemonize",
    "daemonize2",
    "stats",
    "stats-server",
    "chdir",
    "zerg",
];

/// Options that give an instance mules: never in the restarter.
const MULE_OPTIONS: &[&str] = &["mule", "mules", "farm"];

/// Where the public address comes from and what it speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Public {
    /// host:port (or a path) that the pool holds.
    pub address: String,
    /// What clients speak there.
    pub protocol: Protocol,
}

/// Finds the public address: zerg.toml's `[pool]` or else galaxy.yml's own bind option.
///
/// # Errors
/// No address anywhere, or galaxy.yml binding several addresses.
pub fn public_address(config: &Config, galaxy: &GalaxyYml) -> Result<Public> {
    let binds: Vec<(&UwsgiOption, Protocol)> =
        galaxy.uwsgi.iter().filter_map(|o| uwsgi::bind_protocol(&o.key).map(|p| (o, p))).collect();

    if let Some(address) = &config.pool_address {
        let from_galaxy = binds.iter().find(|(o, _)| &o.value == address).map(|(_, p)| *p);
        let protocol = config.pool_protocol.or(from_galaxy).unwrap_or(Protocol::Uwsgi);
        return Ok(Public { address: address.clone(), protocol });
    }

    match binds.as_slice() {
        [] => Err(Error::at(
            CODE,
            &galaxy.source,
            galaxy.uwsgi_key.clone(),
            "galaxy.yml's uwsgi section binds no address, so the pool has nothing to hold",
            "no socket, http-socket or http option here",
        )
        .with_help("set `address` under [pool] in zerg.toml (for example \"127.0.0.1:8080\")")),
        [(option, protocol)] => Ok(Public {
            address: option.value.clone(),
            protocol: config.pool_protocol.unwrap_or(*protocol),
        }),
        [_, (second, _), ..] => Err(Error::at(
            CODE,
            &galaxy.source,
            second.key_span.clone(),
            "galaxy.yml's uwsgi section binds more than one address",
            "a second address",
        )
        .with_help(
            "the pool can hold one address for the zerglings; set `address` under [pool] in \
             zerg.toml to choose it, and remove the other bind options (both zerglings run at \
             once during a restart and could not both bind them)",
        )),
    }
}

/// A galaxy.yml option left out of the zerglings (`key: value`) and why.
pub type Dropped = (String, &'static str);

/// The option lists of the three uWSGI files.
#[derive(Debug, Clone)]
pub struct Sections {
    /// The zergpool vassal.
    pub pool: Vec<Line>,
    /// Zergling A.
    pub zergling: Vec<Line>,
    /// Zergling B, the restarter.
    pub restarter: Vec<Line>,
    /// galaxy.yml's options left out of both zerglings, each with the reason.
    pub dropped: Vec<Dropped>,
}

/// Builds the three option lists.
///
/// # Errors
/// A galaxy.yml option that would break the dance or that cannot be written portably, or a
/// zerg.toml path that cannot be written portably; each pointing at its place.
pub fn sections(config: &Config, galaxy: &GalaxyYml, public: &Public) -> Result<Sections> {
    let (kept, dropped) = kept_options(galaxy, public)?;
    let pool_socket = path_value(config, &config.pool_socket, &["pool", "socket"])?;

    let mut pool = Vec::new();
    if config.packaging == Packaging::Debian {
        pool.push(Line::new("plugins", "zergpool"));
    }
    pool.push(Line::new("master", "true"));
    pool.push(Line::new("zergpool", format!("{pool_socket}:{}", public.address)));
    check_written(config, &pool, &["pool", "address"])?;

    let galaxy_config = path_value(config, &config.galaxy_config, &["layout", "galaxy_config"])?;
    let restarter_file = config.config_dir.join(crate::plan::RESTARTER_FILE);
    let restarter_config = path_value(config, &restarter_file, &["layout", "config"])?;

    let a = Instance::new(config, &config.zergling, "zergling")?;
    let b = Instance::new(config, &config.restarter, "restarter")?;

    let mut zergling = head(config, &kept, &galaxy_config, &pool_socket, public);
    zergling.extend(a.resources());
    zergling.push(Line::new("if-exists", b.fifo.clone()));
    zergling.push(Line::new("hook-accepting1-once", format!("writefifo:{} q", b.fifo)));
    zergling.push(Line::new("endif", "if-exists"));
    zergling.extend(kept.iter().cloned());

    let mut restarter = head(config, &kept, &restarter_config, &pool_socket, public);
    restarter.extend(b.resources());
    restarter.push(Line::new("hook-accepting1-once", format!("writefifo:{} q", a.fifo)));
    restarter.extend(kept.iter().filter(|l| !MULE_OPTIONS.contains(&l.key.as_str())).cloned());

    Ok(Sections { pool, zergling, restarter, dropped })
}

/// galaxy.yml's options minus what the dance owns, each checked for the portable subset.
fn kept_options(galaxy: &GalaxyYml, public: &Public) -> Result<(Vec<Line>, Vec<Dropped>)> {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for option in &galaxy.uwsgi {
        let name = option.key.clone();
        if name == "master" {
            dropped.push((
                format!("{}: {}", option.key, option.value),
                "the dance needs uWSGI's master process (master FIFO, hooks, mules): always on",
            ));
            continue;
        }
        if name.starts_with("hook-") && option.value.starts_with("writefifo:") {
            dropped.push((
                format!("{}: {}", option.key, option.value),
                "a hand-written dance hook: each zergling gets its own, pointing at the other",
            ));
            continue;
        }
        if PER_INSTANCE.contains(&name.as_str()) {
            dropped.push((
                format!("{}: {}", option.key, option.value),
                "each zergling has its own, set from zerg.toml",
            ));
            continue;
        }
        if uwsgi::bind_protocol(&name).is_some() {
            if option.value == public.address {
                dropped.push((format!("{}: {}", option.key, option.value), "the pool holds it"));
                continue;
            }
            return Err(Error::at(
                CODE,
                &galaxy.source,
                option.value_span.clone(),
                format!("galaxy.yml makes the zerglings bind {} themselves", option.value),
                "a second address",
            )
            .with_help(format!(
                "both zerglings run at once during a restart and cannot both bind it; remove \
                 this `{}` line or make it the pool's address ([pool] address in zerg.toml)",
                option.key
            )));
        }

        let unportable = portable::check_key(&option.key)
            .map_err(|u| (u, option.key_span.clone()))
            .and_then(|()| {
                portable::check_value(&option.value).map_err(|u| (u, option.value_span.clone()))
            });
        if let Err((why, span)) = unportable {
            return Err(Error::at(
                CODE,
                &galaxy.source,
                span,
                format!(
                    "`{}: {}` cannot be written so that every uWSGI reads it the same",
                    option.key, option.value
                ),
                why.reason(),
            )
            .with_help(
                "the PyPI and the Debian uWSGI read YAML differently; write it as a plain value \
                 without quotes, `#` or `: `, or move it to an ini file included with `ini:`",
            ));
        }
        kept.push(Line::new(&option.key, option.value.clone()));
    }

    // A block that guarded only a dropped line (`if-exists` ... `endif`) guards nothing now.
    let mut i = 0;
    while i + 1 < kept.len() {
        if kept[i].key.starts_with("if-") && kept[i + 1].key == "endif" {
            let (open, close) = (kept.remove(i), kept.remove(i));
            for line in [open, close] {
                dropped
                    .push((format!("{}: {}", line.key, line.value), "it guarded a dropped line"));
            }
        } else {
            i += 1;
        }
    }
    Ok((kept, dropped))
}

/// The options both zerglings start with.
fn head(
    config: &Config,
    kept: &[Line],
    galaxy_config: &str,
    pool_socket: &str,
    public: &Public,
) -> Vec<Line> {
    let mut lines = Vec::new();
    let has_python = kept
        .iter()
        .any(|l| matches!(l.key.as_str(), "plugins" | "plugin") && l.value.contains("python"));
    if config.packaging == Packaging::Debian && !has_python {
        lines.push(Line::new("plugins", "python3"));
    }
    lines.push(Line::new("master", "true"));
    lines.push(Line::new("chdir", config.server.display().to_string()));
    lines.push(Line::new("set", format!("galaxy_config_file={galaxy_config}")));
    lines.push(Line::new("zerg", pool_socket.to_string()));
    lines.push(Line::new("hook-asap", format!("wait_for_socket:{pool_socket}")));
    if public.protocol == Protocol::Http {
        lines.push(Line::new("protocol", "http"));
    }
    lines
}

/// One zergling's own resources, as option values.
struct Instance {
    fifo: String,
    pidfile: String,
    logto: String,
    stats: String,
}

impl Instance {
    fn new(config: &Config, instance: &crate::config::Instance, table: &str) -> Result<Self> {
        let fifo = path_value(config, &instance.fifo, &[table, "fifo"])?;
        if fifo.contains(' ') {
            return Err(zerg_toml_error(
                config,
                &[table, "fifo"],
                "a master FIFO path with a space breaks `writefifo:<path> q`",
                "choose a path without spaces",
            ));
        }
        Ok(Self {
            fifo,
            pidfile: path_value(config, &instance.pidfile, &[table, "pidfile"])?,
            logto: path_value(config, &instance.logto, &[table, "logto"])?,
            stats: checked(config, instance.stats.clone(), &[table, "stats"])?,
        })
    }

    fn resources(&self) -> Vec<Line> {
        vec![
            Line::new("master-fifo", self.fifo.clone()),
            Line::new("pidfile", self.pidfile.clone()),
            Line::new("logto", self.logto.clone()),
            Line::new("stats", self.stats.clone()),
        ]
    }
}

/// A zerg.toml path as an option value, checked for the portable subset.
fn path_value(config: &Config, path: &Path, keys: &[&str]) -> Result<String> {
    checked(config, path.display().to_string(), keys)
}

fn checked(config: &Config, value: String, keys: &[&str]) -> Result<String> {
    match portable::check_value(&value) {
        Ok(()) => Ok(value),
        Err(why) => Err(zerg_toml_error(
            config,
            keys,
            &format!("`{value}` cannot be written into a uWSGI file: {}", why.reason()),
            "choose a value without `#`, `: ` or a leading quote or indicator character",
        )),
    }
}

fn check_written(config: &Config, lines: &[Line], keys: &[&str]) -> Result<()> {
    for line in lines {
        checked(config, line.value.clone(), keys)?;
    }
    Ok(())
}

fn zerg_toml_error(config: &Config, keys: &[&str], message: &str, help: &str) -> Error {
    let span: Span = config.origin_span(keys);
    let source: &Source = &config.source;
    Error::at("zergcfg::config", source, span, message, "here").with_help(help)
}
