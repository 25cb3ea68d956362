//! What uWSGI substitutes in option values before it uses them: the magic variables of the file
//! being read (`%d`, `%p`, ...) and placeholders (`%(name)`).
//!
//! Magic variables are replaced while a file is read, so each file's own `%d` is its own
//! directory. Placeholders are replaced once every file is read, in one pass over the options
//! in order: `%(name)` becomes the value of the first option named `name`, and any option can be
//! referenced (an unknown option name is a placeholder, `set-ph: name=value` defines one without
//! an option, `set: name=value` defines both). A name nothing defines is left as written.
//! Options uWSGI runs the moment it reads them (includes, `set` and friends) are not
//! substituted.

use std::path::Path;

use super::UwsgiOption;

/// Options whose value is `name=value` and defines `name`.
pub const DEFINING: &[&str] = &["set", "set-placeholder", "set-ph"];

/// Options uWSGI runs as soon as it reads them: their values keep their placeholders. The
/// includes that are read at once ([`super::includes`]) are too.
const IMMEDIATE: &[&str] =
    &["set", "set-placeholder", "set-ph", "declare-option", "declare-option2"];

/// Whether uWSGI runs an option as soon as it reads it, before placeholders are expanded.
fn immediate(key: &str) -> bool {
    IMMEDIATE.contains(&key) || super::includes::include_option(key).is_some_and(|o| o.immediate)
}

/// Replaces the magic variables uWSGI knows from the file's path in `value` (see
/// [`super::magic`]); variables whose value depends on the running machine (`%h`, `%t`, ...)
/// are left as written.
pub fn substitute_magic(value: &str, path: &Path) -> String {
    super::magic::expand(value, &super::magic::ConfigFile::new(path))
}

/// The value uWSGI gives `%(name)` among `options`: the first option named `name`, or the first
/// `set`, `set-placeholder` or `set-ph` that defines it, whichever comes first.
pub fn defined<'a>(options: &'a [UwsgiOption], name: &str) -> Option<&'a str> {
    options.iter().find_map(|o| {
        if o.key == name {
            return Some(o.value.as_str());
        }
        let (defined, value) = o.value.split_once('=')?;
        (DEFINING.contains(&o.key.as_str()) && defined.trim() == name).then_some(value)
    })
}

/// Replaces every `%(name)` in the options' values as uWSGI does once the configuration is
/// read. The value a `set: name=value` line defines is expanded too (uWSGI keeps it as an option
/// of its own, right after the `set` line), so that [`defined`] gives what uWSGI would use.
pub fn expand(options: &mut [UwsgiOption]) {
    // (name, value, expandable, option it belongs to, whether it is the part after `=`)
    let mut entries: Vec<(String, String, bool, usize, bool)> = Vec::new();
    for (index, option) in options.iter().enumerate() {
        let key = option.key.as_str();
        entries.push((key.to_string(), option.value.clone(), !immediate(key), index, false));
        if let Some((name, value)) =
            option.value.split_once('=').filter(|_| DEFINING.contains(&key))
        {
            entries.push((name.trim().to_string(), value.to_string(), key == "set", index, true));
        }
    }

    for at in 0..entries.len() {
        if !entries[at].2 || !entries[at].1.contains("%(") {
            continue;
        }
        let expanded = expand_value(&entries[at].1, |name| {
            entries.iter().find(|e| e.0 == name).map(|e| e.1.as_str())
        });
        entries[at].1 = expanded;
    }

    for (name, value, expandable, index, defines) in entries {
        if !expandable {
            continue;
        }
        options[index].value = if defines { format!("{name}={value}") } else { value };
    }
}

/// `value` with each `%(name)` that `lookup` knows replaced.
fn expand_value<'a>(value: &str, lookup: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(open) = rest.find("%(") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find(')') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match lookup(name).filter(|_| !name.contains('(')) {
            Some(found) => out.push_str(found),
            None => out.push_str(&rest[open..=open + 2 + close]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Every name referenced as `%(name)` in `text`.
pub fn referenced(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("%(").filter_map(move |(at, _)| {
        let after = &text[at + 2..];
        let name = &after[..after.find(')')?];
        (!name.is_empty() && !name.contains(['(', '\n'])).then_some(name)
    })
}

/// Options from `(key, value)` pairs, placed nowhere, for tests.
#[cfg(test)]
pub(crate) fn unplaced(pairs: &[(&str, &str)]) -> Vec<UwsgiOption> {
    pairs
        .iter()
        .map(|(key, value)| UwsgiOption {
            key: (*key).to_string(),
            value: (*value).to_string(),
            key_span: 0..0,
            value_span: 0..0,
            included: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(pairs: &[(&str, &str)]) -> Vec<UwsgiOption> {
        unplaced(pairs)
    }

    fn values(options: &[UwsgiOption]) -> Vec<&str> {
        options.iter().map(|o| o.value.as_str()).collect()
    }

    #[test]
    fn placeholders_expand_as_uwsgi_2_0_31_does() {
        // Seen with `--show-config` of uWSGI 2.0.31 on the same options.
        let mut opts = options(&[
            ("set-ph", "v=var"),
            ("pidfile", "/srv/%(v)/x"),
            ("foo", "a"),
            ("foo", "b"),
            ("logto", "/x/%(foo)"),
            ("stats", "x%(later)"),
            ("later", "zz"),
            ("processes", "2"),
            ("threads", "/a/%(processes)"),
            ("master-fifo", "/a/%(undefined)/b"),
            ("set", "galaxy_config_file=/x/%(later)"),
            ("set-ph", "q=%(later)"),
            ("a6", "%(q)"),
            ("a7", "%(galaxy_config_file)"),
            ("include", "/x/%(later).yml"),
            ("inherit", "/x/%(later).yml"),
        ]);
        expand(&mut opts);
        assert_eq!(
            values(&opts),
            [
                "v=var",
                "/srv/var/x",
                "a",
                "b",
                "/x/a",
                "xzz",
                "zz",
                "2",
                "/a/2",
                "/a/%(undefined)/b",
                "galaxy_config_file=/x/zz",
                "q=%(later)",
                "%(later)",
                "/x/zz",
                "/x/%(later).yml",
                "/x/zz.yml",
            ]
        );
        assert_eq!(defined(&opts, "galaxy_config_file"), Some("/x/zz"));
    }

    #[test]
    fn magic_variables_of_the_file() {
        let path = Path::new("/tmp/lr/ux/m.yml");
        assert_eq!(
            substitute_magic("%d|%p|%s|%n|%e|%c|%o|%1|100%%|%(a)|%h", path),
            "/tmp/lr/ux/|/tmp/lr/ux/m.yml|m.yml|m|yml|ux|/tmp/lr/ux/m.yml|lr|100%|%(a)|%h"
        );
        assert_eq!(substitute_magic("plain", path), "plain");
    }

    #[test]
    fn referenced_names() {
        let names: Vec<_> = referenced("a: %(x)/%(y)\nb: %()%(z").collect();
        assert_eq!(names, ["x", "y"]);
    }
}
