//! What Galaxy 21.09 reads from the uWSGI options it runs under: the configuration file named
//! by the `galaxy_config_file` option, and settings passed in the environment that `env:`
//! lines set. `build` decides what to drop and refuse with it, `lint` what a zergling's Galaxy
//! really runs with, so the two never disagree.
//!
//! As seen with uWSGI 2.0.31 (PyPI) and 2.0.21 (Debian) under Python 3: `uwsgi.opt`, where
//! Galaxy looks (`UWSGIApplicationStack.get_app_kwds`), holds each option name once, with the
//! value of its last option; `set`, `set-placeholder` and `set-ph` define the name before their
//! `=`, exactly as written (`set: galaxy_config_file =x` defines `galaxy_config_file `). A
//! placeholder `%(name)`, by contrast, takes the first ([`super::placeholders`]). `env: NAME=value`
//! is `putenv`: a later line for a name replaces its value in place, `env: NAME` and `unenv:
//! NAME` remove it. Galaxy (`galaxy.util.properties.load_app_properties`) then walks the
//! environment in order: `GALAXY_CONFIG_OVERRIDE_<name>` sets `<name>` over the file (the last
//! such variable wins), `GALAXY_CONFIG_<name>` only where nothing set it yet (the first wins);
//! the prefix must match exactly and `<name>` is lowercased.

use super::UwsgiOption;
use super::placeholders::DEFINING;

/// The option Galaxy under uWSGI takes its configuration file from.
pub const GALAXY_CONFIG_FILE: &str = "galaxy_config_file";

/// The prefix of a variable that sets a Galaxy setting over the configuration file.
const OVERRIDE_PREFIX: &str = "GALAXY_CONFIG_OVERRIDE_";

/// The prefix of a variable that sets a Galaxy setting the configuration file leaves unset.
const DEFAULT_PREFIX: &str = "GALAXY_CONFIG_";

/// The value `option` gives the option `name` in `uwsgi.opt`, if it sets it: its own value when
/// it is named `name`, the part after `=` of a `set`, `set-placeholder` or `set-ph` of `name`.
pub fn defines<'a>(option: &'a UwsgiOption, name: &str) -> Option<&'a str> {
    if option.key == name {
        return Some(&option.value);
    }
    let (defined, value) = option.value.split_once('=')?;
    (DEFINING.contains(&option.key.as_str()) && defined == name).then_some(value)
}

/// The option Galaxy takes its configuration file from, with the file: the last one that sets
/// `galaxy_config_file`. `None` when none does, or the last one sets it empty: Galaxy then
/// reads the file uWSGI was given with `yaml:`.
pub fn galaxy_config_file(options: &[UwsgiOption]) -> Option<(&UwsgiOption, &str)> {
    let (option, value) =
        options.iter().rev().find_map(|o| defines(o, GALAXY_CONFIG_FILE).map(|v| (o, v)))?;
    (!value.is_empty()).then_some((option, value))
}

/// How an environment variable sets a Galaxy setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvKind {
    /// `GALAXY_CONFIG_OVERRIDE_<name>`: over the configuration file's value.
    Override,
    /// `GALAXY_CONFIG_<name>`: only when the configuration file sets none.
    Default,
}

/// The Galaxy setting an environment variable named `name` sets, and how.
pub fn env_setting(name: &str) -> Option<(EnvKind, String)> {
    let (kind, setting) = match name.strip_prefix(OVERRIDE_PREFIX) {
        Some(setting) => (EnvKind::Override, setting),
        None => (EnvKind::Default, name.strip_prefix(DEFAULT_PREFIX)?),
    };
    Some((kind, setting.to_lowercase()))
}

/// A Galaxy setting given by the environment, with the `env:` line that gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvValue<'a> {
    /// The last `env:` line of the variable.
    pub option: &'a UwsgiOption,
    /// The variable's name.
    pub name: &'a str,
    /// Its value.
    pub value: &'a str,
}

/// The variables the `env:` lines of `options` leave in the environment, in the order Galaxy
/// sees them (where each was first set since it was last removed), each with its last line.
pub fn environment(options: &[UwsgiOption]) -> Vec<EnvValue<'_>> {
    let mut environment: Vec<EnvValue<'_>> = Vec::new();
    for option in options {
        let (name, value) = match (option.key.as_str(), option.value.split_once('=')) {
            ("env", Some((name, value))) => (name, Some(value)),
            ("env" | "unenv", _) => (option.value.as_str(), None),
            _ => continue,
        };
        let at = environment.iter().position(|e| e.name == name);
        match (at, value) {
            (Some(at), Some(value)) => environment[at] = EnvValue { option, name, value },
            (None, Some(value)) => environment.push(EnvValue { option, name, value }),
            (Some(at), None) => {
                environment.remove(at);
            }
            (None, None) => {}
        }
    }
    environment
}

/// The value the `env:` lines of `options` give Galaxy's setting `key` by `kind`: the last
/// `GALAXY_CONFIG_OVERRIDE_<key>`, or the first `GALAXY_CONFIG_<key>`, as Galaxy walks the
/// environment.
pub fn env_value<'a>(options: &'a [UwsgiOption], key: &str, kind: EnvKind) -> Option<EnvValue<'a>> {
    let mut matching = environment(options)
        .into_iter()
        .filter(|e| env_setting(e.name).is_some_and(|(k, setting)| k == kind && setting == key));
    match kind {
        EnvKind::Override => matching.next_back(),
        EnvKind::Default => matching.next(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uwsgi::placeholders::unplaced as options;

    #[test]
    fn galaxy_reads_the_last_galaxy_config_file() {
        let set = options(&[
            ("galaxy_config_file", "/direct.yml"),
            ("set", "galaxy_config_file=/set.yml"),
            ("set-ph", "galaxy_config_file=/ph.yml"),
            ("set", "galaxy_config_file =/spaced.yml"),
            ("set", "other=/x.yml"),
        ]);
        assert_eq!(galaxy_config_file(&set).map(|(_, v)| v), Some("/ph.yml"));
        assert_eq!(galaxy_config_file(&set[..2]).map(|(_, v)| v), Some("/set.yml"));
        assert_eq!(galaxy_config_file(&set[3..]), None);

        let emptied =
            options(&[("set", "galaxy_config_file=/a.yml"), ("set", "galaxy_config_file=")]);
        assert_eq!(galaxy_config_file(&emptied), None);
    }

    #[test]
    fn env_names_match_the_prefix_exactly_and_the_setting_in_any_case() {
        let override_ = Some((EnvKind::Override, "job_config_file".to_string()));
        assert_eq!(env_setting("GALAXY_CONFIG_OVERRIDE_JOB_CONFIG_FILE"), override_);
        assert_eq!(env_setting("GALAXY_CONFIG_OVERRIDE_job_Config_file"), override_);
        let default = Some((EnvKind::Default, "server_name".to_string()));
        assert_eq!(env_setting("GALAXY_CONFIG_SERVER_NAME"), default);
        assert_eq!(env_setting("galaxy_config_server_name"), None);
        assert_eq!(
            env_setting("GALAXY_CONFIG_SERVER_NAME "),
            Some((EnvKind::Default, "server_name ".into()))
        );
    }

    #[test]
    fn the_environment_is_putenv_in_order() {
        let set = options(&[
            ("env", "ZZ_A=one"),
            ("env", "ZZ_B=two"),
            ("env", "ZZ_A"),
            ("env", "ZZ_C=three"),
            ("unenv", "ZZ_B"),
            ("env", "ZZ_A=again"),
            ("env", "ZZ_C=four"),
        ]);
        let names: Vec<_> = environment(&set).iter().map(|e| (e.name, e.value)).collect();
        assert_eq!(names, [("ZZ_C", "four"), ("ZZ_A", "again")]);
    }

    #[test]
    fn overrides_take_the_last_and_defaults_the_first() {
        let set = options(&[
            ("env", "GALAXY_CONFIG_job_config_file=/first-default.xml"),
            ("env", "GALAXY_CONFIG_OVERRIDE_JOB_CONFIG_FILE=/a.xml"),
            ("env", "GALAXY_CONFIG_JOB_CONFIG_FILE=/second-default.xml"),
            ("env", "GALAXY_CONFIG_OVERRIDE_job_config_file=/b.xml"),
            ("env", "GALAXY_CONFIG_OVERRIDE_JOB_CONFIG_FILE=/c.xml"),
        ]);
        let value = |kind| env_value(&set, "job_config_file", kind).map(|e| e.value);
        // Replaced in place, the upper-case override stays before the lower-case one.
        assert_eq!(value(EnvKind::Override), Some("/b.xml"));
        assert_eq!(value(EnvKind::Default), Some("/first-default.xml"));
        assert_eq!(env_value(&set, "config_dir", EnvKind::Override), None);
    }
}
