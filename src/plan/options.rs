//! From galaxy.yml's `uwsgi:` section to the option lists of the pool, zergling A and the
//! restarter: what is kept, what is dropped because the dance owns it, and what is added.

use std::path::Path;

use crate::config::{Config, Packaging, Protocol};
use crate::error::{Error, Result};
use crate::galaxy::GalaxyYml;
use crate::source::{Source, Span};
use crate::uwsgi::magic::{self, ConfigFile};
use crate::uwsgi::{self, UwsgiOption, blocks, galaxy_opts, portable};
use crate::yaml::safe_load;

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

/// Options the dance sets in each zergling itself, besides the per-instance resources
/// ([`uwsgi::INSTANCE_RESOURCES`]): galaxy.yml's values are replaced by zerg.toml's.
const SET_BY_DANCE: &[&str] = &["chdir", "zerg"];

/// Galaxy settings that must not come from the environment ([`galaxy_opts::env_setting`]), each
/// with what it would do to the dance.
const GALAXY_ENV_SETTINGS: &[(&str, &str)] = &[
    (
        "job_config_file",
        "the restarter would run with that job conf instead of its own, and zergcfg would read \
         another main job conf than zergling A's",
    ),
    (
        "job_config",
        "Galaxy prefers an inline job configuration to job_config_file, so the restarter would \
         ignore its own job conf",
    ),
    (
        "config_dir",
        "Galaxy would find a relative job_config_file in that directory, and zergcfg would read \
         another main job conf than zergling A's",
    ),
    (
        "server_name",
        "it renames zergling A's handler mules, and the restarter would preassign jobs to names \
         no mule runs",
    ),
];

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
    // What the zerglings answer a bind's clients in; one the zerglings cannot serve (TLS,
    // FastCGI, ...) is refused by the agreement checks before anything is written.
    let binds: Vec<(&UwsgiOption, Protocol)> = galaxy
        .uwsgi
        .iter()
        .filter_map(|o| {
            let bind = uwsgi::binds::bind_option(&o.key)?;
            Some((o, bind.protocol.unwrap_or(Protocol::Uwsgi)))
        })
        .collect();

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
pub fn sections(
    config: &Config,
    galaxy: &GalaxyYml,
    public: &Public,
    galaxy_file: &ConfigFile,
) -> Result<Sections> {
    let (kept, dropped) = kept_options(galaxy, public, galaxy_file)?;
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
    restarter
        .extend(kept.iter().filter(|l| !uwsgi::MULE_OPTIONS.contains(&l.key.as_str())).cloned());

    Ok(Sections { pool, zergling, restarter, dropped })
}

/// galaxy.yml's options minus what the dance owns, each checked for the portable subset, with
/// uWSGI's place-dependent magic variables written out for `galaxy_file`.
fn kept_options(
    galaxy: &GalaxyYml,
    public: &Public,
    galaxy_file: &ConfigFile,
) -> Result<(Vec<Line>, Vec<Dropped>)> {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for option in &galaxy.uwsgi {
        if let Some(reason) = drop_reason(option, public) {
            dropped.push((format!("{}: {}", option.key, option.value), reason));
            continue;
        }
        refuse(galaxy, option, public)?;

        let value = magic::substitute(&option.value, galaxy_file).map_err(|why| {
            Error::at(
                CODE,
                &galaxy.source,
                option.value_sub_span(&galaxy.source.text, why.range.clone()),
                format!(
                    "`{}` stands for {}, which is not the same in the zerglings' files",
                    &option.value[why.range.clone()],
                    why.reason
                ),
                "here",
            )
            .with_help(
                "zergcfg copies this option into vassal files in other directories; write out \
                 the value it stands for",
            )
        })?;
        check_portable(galaxy, option, &value)?;
        kept.push(Line::new(&option.key, value));
    }

    // A block that guarded only dropped lines (`if-exists` ... `endif`) guards nothing now.
    let mut i = 0;
    while i + 1 < kept.len() {
        if blocks::opener(&kept[i].key).is_some() && blocks::closes(&kept[i + 1].key) {
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

/// Why the dance leaves `option` out of both zerglings, if it does.
fn drop_reason(option: &UwsgiOption, public: &Public) -> Option<&'static str> {
    let name = option.key.as_str();
    if name == "master" {
        return Some(
            "the dance needs uWSGI's master process (master FIFO, hooks, mules): always on",
        );
    }
    if uwsgi::hooks::fifo_hook(option).is_some() {
        return Some(
            "a hand-written dance hook: each zergling gets its own, pointing at the other",
        );
    }
    if uwsgi::resource(name).is_some() || SET_BY_DANCE.contains(&name) {
        return Some("each zergling has its own, set from zerg.toml");
    }
    if galaxy_opts::defines(option, galaxy_opts::GALAXY_CONFIG_FILE).is_some() {
        return Some(
            "each zergling sets its own galaxy_config_file (zergling A galaxy.yml, the restarter \
             its own file); uWSGI keeps the last one set, so this one would make the restarter \
             run on galaxy.yml and zergling A's job conf",
        );
    }
    if uwsgi::binds::is_bind(name) && option.value == public.address {
        return Some("the pool holds it");
    }
    None
}

/// Refuses an option that would break the dance: a second address, an include zergcfg cannot
/// see into, or a Galaxy setting passed in the environment.
fn refuse(galaxy: &GalaxyYml, option: &UwsgiOption, public: &Public) -> Result<()> {
    let source = &galaxy.source;
    if uwsgi::binds::is_bind(&option.key) {
        return Err(Error::at(
            CODE,
            source,
            option.value_span.clone(),
            format!("galaxy.yml makes the zerglings bind {} themselves", option.value),
            "a second address",
        )
        .with_help(format!(
            "both zerglings run at once during a restart and cannot both bind it; remove this \
             `{}` line or make it the pool's address ([pool] address in zerg.toml, now {})",
            option.key, public.address
        )));
    }

    if uwsgi::includes::is_include(&option.key) {
        return Err(Error::at(
            CODE,
            source,
            option.key_span.start..option.value_span.end,
            format!("`{}` reads more uWSGI options from {}", option.key, option.value),
            "options zergcfg cannot see",
        )
        .with_help(
            "both zerglings would load them: mules would reach the restarter and a bind or \
             galaxy_config_file would break the dance; copy those options into galaxy.yml's \
             uwsgi section instead",
        ));
    }

    if option.key == "env" {
        let name = option.value.split('=').next().unwrap_or_default();
        let setting = galaxy_opts::env_setting(name).map(|(_, setting)| setting);
        if let Some((key, why)) =
            GALAXY_ENV_SETTINGS.iter().find(|(key, _)| setting.as_deref() == Some(*key))
        {
            return Err(Error::at(
                CODE,
                source,
                option.value_sub_span(&source.text, 0..name.len()),
                format!("`env: {name}=...` sets Galaxy's `{key}` in both zerglings"),
                "read by Galaxy as a setting",
            )
            .with_help(format!(
                "{why}; set `{key}` in galaxy.yml's galaxy: section instead and remove this line"
            )));
        }
    }
    Ok(())
}

/// Refuses an option that every uWSGI and PyYAML would not read the same once written unquoted
/// (`value` is what will be written).
fn check_portable(galaxy: &GalaxyYml, option: &UwsgiOption, value: &str) -> Result<()> {
    let unportable = if option.key.contains('%') {
        Err((
            "uWSGI replaces `%` and the character after it in option names too".to_string(),
            option.key_span.clone(),
        ))
    } else {
        portable::check_key(&option.key).map_err(|u| (u.reason(), option.key_span.clone()))
    }
    .and_then(|()| {
        portable::check_value(value).map_err(|u| (u.reason(), option.value_span.clone()))
    })
    .and_then(|()| {
        match (safe_load::plain_key_problem(&option.key), safe_load::plain_problem(value)) {
            (Some(why), _) => Err((why.to_string(), option.key_span.clone())),
            (None, Some(why)) => Err((why.to_string(), option.value_span.clone())),
            (None, None) => Ok(()),
        }
    });

    let Err((why, span)) = unportable else {
        return Ok(());
    };
    Err(Error::at(
        CODE,
        &galaxy.source,
        span,
        format!(
            "`{}: {}` cannot be written so that every uWSGI and Galaxy read it the same",
            option.key, option.value
        ),
        why,
    )
    .with_help(
        "the PyPI and the Debian uWSGI read YAML differently and Galaxy reads the restarter with \
         PyYAML; write it as a plain value without quotes, `#` or `: `",
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn build(lines: &str) -> Result<Sections> {
        let config = Config::parse(Source::new("zerg.toml", "")).unwrap();
        let text = format!(
            "uwsgi:\n  socket: 127.0.0.1:8080\n{lines}  mule: a.py\n  farm: job-handlers:1\n"
        );
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        let public = public_address(&config, &galaxy).unwrap();
        let file = ConfigFile::new(Path::new("/srv/galaxy/config/galaxy.yml"));
        sections(&config, &galaxy, &public, &file)
    }

    fn values<'a>(lines: &'a [Line], key: &str) -> Vec<&'a str> {
        lines.iter().filter(|l| l.key == key).map(|l| l.value.as_str()).collect()
    }

    #[test]
    fn only_zergcfg_sets_galaxy_config_file() {
        for line in [
            "set: galaxy_config_file=/srv/galaxy/config/galaxy.yml",
            "set-placeholder: galaxy_config_file=/srv/galaxy/config/galaxy.yml",
            "set-ph: galaxy_config_file=/x.yml",
            "galaxy_config_file: /srv/galaxy/config/galaxy.yml",
        ] {
            let sections = build(&format!("  {line}\n")).unwrap();
            assert_eq!(
                values(&sections.restarter, "set"),
                ["galaxy_config_file=/srv/galaxy/config/galaxy-restarter.yml"],
                "{line}"
            );
            assert!(!sections.restarter.iter().any(|l| l.key == "galaxy_config_file"));
            assert_eq!(values(&sections.zergling, "set").len(), 1, "{line}");
            assert_eq!(sections.dropped.len(), 2, "{line}: {:?}", sections.dropped);
        }
        // uWSGI takes the name before `=` as written: this one is not Galaxy's.
        for line in ["set: other=1", "set: galaxy_config_file =/x.yml"] {
            let sections = build(&format!("  {line}\n")).unwrap();
            assert_eq!(values(&sections.restarter, "set").len(), 2, "{line}");
        }
    }

    #[test]
    fn galaxy_settings_in_the_environment_are_refused() {
        for name in [
            "GALAXY_CONFIG_OVERRIDE_JOB_CONFIG_FILE",
            "GALAXY_CONFIG_JOB_CONFIG_FILE",
            "GALAXY_CONFIG_OVERRIDE_job_config",
            "GALAXY_CONFIG_OVERRIDE_CONFIG_DIR",
            "GALAXY_CONFIG_SERVER_NAME",
        ] {
            let err = build(&format!("  env: {name}=/x\n")).unwrap_err();
            assert!(err.message().starts_with(&format!("`env: {name}=...`")), "{}", err.message());
        }
        // Other variables, the GALAXY_CONFIG_FILE only Galaxy's scripts read, and a prefix in
        // another case, which Galaxy does not read, are kept.
        let env = "  env: LANG=C.UTF-8\n  env: GALAXY_CONFIG_FILE=/x.yml\n  \
                   env: galaxy_config_server_name=x\n";
        let sections = build(env).unwrap();
        assert_eq!(values(&sections.restarter, "env").len(), 3);
    }

    #[test]
    fn options_read_from_elsewhere_are_refused() {
        for line in [
            "ini: /etc/uwsgi/common.ini",
            "yaml: other.yml",
            "include: x.ini",
            "inherit: base.yml",
            "ini-paste: /srv/galaxy/config/galaxy.ini",
        ] {
            let err = build(&format!("  {line}\n")).unwrap_err();
            assert!(err.message().contains("reads more uWSGI options"), "{}", err.message());
        }
    }

    #[test]
    fn place_dependent_magic_variables_are_written_out() {
        let sections =
            build("  static-safe: /a%d../server/static\n  procname-prefix: x%n-%h-\n").unwrap();
        for lines in [&sections.zergling, &sections.restarter] {
            assert_eq!(values(lines, "static-safe"), ["/a/srv/galaxy/config/../server/static"]);
            assert_eq!(values(lines, "procname-prefix"), ["xgalaxy-%h-"]);
        }
        let err = build("  logformat: x %v\n").unwrap_err();
        assert!(err.message().contains("started in"), "{}", err.message());
        assert!(build("  procname: 100%\n").is_err());
    }

    #[test]
    fn values_pyyaml_cannot_load_are_refused() {
        let err = build("  route: \"<<\"\n").unwrap_err();
        assert!(err.message().contains("Galaxy read it the same"), "{}", err.message());
        assert!(build("  set: x='='\n").is_ok());
        assert!(build("  cron2: '2021-02-30'\n").is_err());
    }

    #[test]
    fn every_hand_written_fifo_hook_is_dropped() {
        // A `spinningfifo` dance hook is a dance hook as a `writefifo` one is (lint's ZC205 and
        // ZC206 read both): neither may reach the zerglings, which get their own.
        for action in ["writefifo", "spinningfifo"] {
            let line = format!(
                "  if-exists: /srv/galaxy/var/b.fifo\n  \
                 hook-accepting1-once: {action}:/srv/galaxy/var/b.fifo q\n  endif: if-exists\n"
            );
            let sections = build(&line).unwrap();
            for lines in [&sections.zergling, &sections.restarter] {
                let hooks = values(lines, "hook-accepting1-once");
                assert_eq!(hooks.len(), 1, "{action}: {hooks:?}");
                assert!(hooks[0].starts_with("writefifo:/srv/galaxy/var/"), "{hooks:?}");
                assert!(!hooks[0].contains("b.fifo"), "{hooks:?}");
            }
            assert_eq!(sections.dropped.len(), 4, "{action}: {:?}", sections.dropped);
        }
    }

    #[test]
    fn a_loop_left_empty_is_dropped() {
        let sections = build("  for: a b\n  master-fifo: /tmp/%(_).fifo\n  endfor: x\n").unwrap();
        assert!(!sections.zergling.iter().any(|l| l.key == "for" || l.key == "endfor"));
        // `ifexists` is `if-exists`; `end` closes it as `endif` does.
        let sections = build("  ifexists: /x\n  pidfile: /tmp/a.pid\n  end: x\n").unwrap();
        assert!(!sections.zergling.iter().any(|l| l.key == "ifexists" || l.key == "end"));
        // A name that only looks like an opener is a placeholder, kept as written.
        let sections = build("  if-nonsense: x\n  endif: x\n").unwrap();
        assert_eq!(values(&sections.zergling, "if-nonsense"), ["x"]);
    }
}
