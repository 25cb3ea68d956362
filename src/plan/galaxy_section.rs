//! The restarter's `galaxy:` section: galaxy.yml's, copied as written (comments and all), with
//! `job_config_file` pointing at the restarter's job conf. It must mean to `PyYAML` exactly what
//! galaxy.yml's meant but for that one setting, so the top-level sections holding anchors it
//! uses are copied along, and the result is loaded back and compared before it is written.

use std::collections::{BTreeSet, HashSet};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::galaxy::{GalaxyYml, line_start, section_text};
use crate::yaml::resolve::{Anchors, Resolver, Value, anchor};
use crate::yaml::{self, Node};

const CODE: &str = "zergcfg::galaxy";

/// The setting that the restarter's section changes.
const JOB_CONFIG_FILE: &str = "job_config_file";

/// galaxy.yml's `galaxy:` section as text, preceded by the top-level sections holding the
/// anchors it refers to, with `job_config_file` set to the restarter's job conf: the value
/// replaced in place, or (when the value is anchored, merged in, or missing) a line added at
/// the end of the section, which `PyYAML` reads over any earlier one.
///
/// # Errors
/// A section that is not a block mapping, an alias to an anchor of the `uwsgi:` section, `%TAG`
/// directives, or (a safeguard) a result that would not load as galaxy.yml's section.
pub fn restarter_galaxy_section(config: &Config, galaxy: &GalaxyYml) -> Result<String> {
    let job_conf = config.restarter_job_conf.display().to_string();
    let value = yaml_scalar(&job_conf);
    let fresh = format!("galaxy:\n  {JOB_CONFIG_FILE}: {value}\n");
    let Some(section) = &galaxy.galaxy else {
        return Ok(fresh);
    };
    let null = |s: &crate::yaml::Scalar| {
        s.tag.is_none()
            && s.style == crate::yaml::ScalarStyle::Plain
            && crate::yaml::safe_load::implicit_tag(&s.value) == "null"
    };
    if section.entry.value.as_scalar().is_some_and(null) {
        return Ok(fresh);
    }

    let source = &galaxy.source;
    let text = &source.text;
    let Node::Mapping { entries, flow: false, .. } = &section.entry.value else {
        return Err(Error::at(
            CODE,
            source,
            section.entry.value.span(),
            "galaxy.yml's galaxy section is not a block mapping",
            "here",
        )
        .with_help("write the galaxy section as one `key: value` line per setting"));
    };
    if let Some(at) = text.lines().position(|l| l.starts_with("%TAG")) {
        let start = text.lines().take(at).map(|l| l.len() + 1).sum::<usize>();
        return Err(Error::at(
            CODE,
            source,
            start..start + 4,
            "galaxy.yml declares tag handles with `%TAG`",
            "here",
        )
        .with_help("write the tags in full (`!!str`) and remove the `%TAG` directive"));
    }

    let anchors = Anchors::of(&galaxy.root).map_err(|e| internal(&e.message))?;
    let mut out = String::new();
    for index in carried(galaxy, &anchors)? {
        let entry = &galaxy.root.entries().unwrap_or(&[])[index];
        out.push_str(&text[section_text(text, &galaxy.root, entry)]);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }

    let base = section.text.start;
    let mut own = text[section.text.clone()].to_string();
    if !own.ends_with('\n') {
        own.push('\n');
    }
    let last = entries.iter().rev().find(|e| e.key.value == JOB_CONFIG_FILE);
    match last {
        Some(entry) if anchor(&entry.value).is_none() => {
            let span = entry.value.span();
            let written = if span.is_empty() { format!(" {value}") } else { value.clone() };
            own.replace_range(span.start - base..span.end - base, &written);
        }
        _ => {
            let first = entries.first().map_or(0, |e| e.key.span.start);
            let indent =
                if entries.is_empty() { "  " } else { &text[line_start(text, first)..first] };
            own.push_str(indent);
            own.push_str(JOB_CONFIG_FILE);
            own.push_str(": ");
            own.push_str(&value);
            own.push('\n');
        }
    }
    out.push_str(&own);

    check_same(galaxy, &anchors, &section.entry.value, &out, &job_conf)?;
    Ok(out)
}

/// The indices of the top-level entries, other than the galaxy section, that hold an anchor the
/// section refers to, directly or through another such entry, in file order.
fn carried(galaxy: &GalaxyYml, anchors: &Anchors<'_>) -> Result<BTreeSet<usize>> {
    let Some(section) = &galaxy.galaxy else {
        return Ok(BTreeSet::new());
    };
    let text = &galaxy.source.text;
    let top = galaxy.root.entries().unwrap_or(&[]);
    let ranges: Vec<std::ops::Range<usize>> =
        top.iter().map(|entry| section_text(text, &galaxy.root, entry)).collect();

    let mut carried = BTreeSet::new();
    let mut seen = HashSet::new();
    let mut pending = vec![&section.entry.value];
    while let Some(node) = pending.pop() {
        for (name, span) in aliases(node) {
            if !seen.insert(name) {
                continue;
            }
            let Some(place) = anchors.place(name) else {
                continue;
            };
            if section.text.contains(&place.start) {
                continue;
            }
            let Some(index) = ranges.iter().position(|r| r.contains(&place.start)) else {
                continue;
            };
            if top[index].key.value == "uwsgi" {
                return Err(Error::at(
                    CODE,
                    &galaxy.source,
                    span,
                    format!("the galaxy section refers to `&{name}` of the uwsgi section"),
                    "an alias to the uwsgi section",
                )
                .with_help(
                    "the restarter's uwsgi section is written anew; define the anchor in the \
                     galaxy section or in a top-level section of its own",
                ));
            }
            if carried.insert(index) {
                pending.push(&top[index].value);
            }
        }
    }
    Ok(carried)
}

/// Every alias under `node`, with its span.
fn aliases(node: &Node) -> Vec<(&str, crate::source::Span)> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match node {
            Node::Alias { name, span } => found.push((name.as_str(), span.clone())),
            Node::Mapping { entries, .. } => stack.extend(entries.iter().map(|e| &e.value)),
            Node::Sequence { items, .. } => stack.extend(items.iter()),
            Node::Scalar(_) => {}
        }
    }
    found
}

/// Refuses a section that would not load as galaxy.yml's did, but for `job_config_file`.
fn check_same(
    galaxy: &GalaxyYml,
    anchors: &Anchors<'_>,
    original: &Node,
    written: &str,
    job_conf: &str,
) -> Result<()> {
    let mut expected = Resolver::new(anchors).value(original).map_err(|e| internal(&e.message))?;
    expected.set(Value::str(JOB_CONFIG_FILE), Value::str(job_conf));

    let documents = yaml::parse(written).map_err(|e| internal(&e.message))?;
    let root = documents.first().map(|d| &d.root).ok_or_else(|| internal("no document"))?;
    let copied = Anchors::of(root).map_err(|e| internal(&e.message))?;
    let mut resolver = Resolver::new(&copied);
    let section = resolver.get(root, "galaxy").map_err(|e| internal(&e.message))?;
    let actual = match section {
        Some((_, node)) => resolver.value(node).map_err(|e| internal(&e.message))?,
        None => return Err(internal("the galaxy section is missing")),
    };
    if actual == expected {
        Ok(())
    } else {
        Err(Error::at(
            CODE,
            &galaxy.source,
            galaxy.galaxy.as_ref().map_or(0..0, |s| s.entry.key.span.clone()),
            "internal error: the restarter's galaxy section would not load as galaxy.yml's",
            "this section",
        )
        .with_help("nothing was written; please report this with galaxy.yml"))
    }
}

fn internal(what: &str) -> Error {
    Error::new(
        CODE,
        format!("internal error: the restarter's galaxy section does not load back: {what}"),
    )
    .with_help("nothing was written; please report this with galaxy.yml")
}

/// A YAML scalar for a path: plain when that is safe, single-quoted otherwise.
fn yaml_scalar(value: &str) -> String {
    let plain = crate::uwsgi::portable::check_value(value).is_ok()
        && crate::yaml::safe_load::implicit_tag(value) == "str";
    if plain { value.to_string() } else { format!("'{}'", value.replace('\'', "''")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn section(galaxy_yml: &str) -> String {
        let config = Config::parse(Source::new("zerg.toml", "")).unwrap();
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", galaxy_yml)).unwrap();
        restarter_galaxy_section(&config, &galaxy).unwrap()
    }

    const UWSGI: &str = "uwsgi:\n  socket: 127.0.0.1:8080\n";
    const RESTARTER_JOB_CONF: &str = "/srv/galaxy/config/job_conf-restarter.xml";

    /// galaxy.yml's galaxy section and the restarter's, as `PyYAML` would load them.
    fn loaded(galaxy_yml: &str, restarter: &str) -> (Value, Value) {
        let load = |text: &str| {
            let documents = yaml::parse(text).unwrap();
            let root = &documents[0].root;
            let anchors = Anchors::of(root).unwrap();
            let mut resolver = Resolver::new(&anchors);
            let (_, node) = resolver.get(root, "galaxy").unwrap().unwrap();
            resolver.value(node).unwrap()
        };
        let mut original = load(galaxy_yml);
        original.set(Value::str(JOB_CONFIG_FILE), Value::str(RESTARTER_JOB_CONF));
        (original, load(restarter))
    }

    #[test]
    fn job_config_file_is_replaced_in_place() {
        let text =
            format!("{UWSGI}galaxy:\n  a: 1\n  job_config_file: job_conf.xml # main\n  b: 2\n");
        assert_eq!(
            section(&text),
            "galaxy:\n  a: 1\n  job_config_file: /srv/galaxy/config/job_conf-restarter.xml # \
             main\n  b: 2\n"
        );
    }

    #[test]
    fn job_config_file_is_added_at_the_section_indent() {
        let text = format!("galaxy:\n    a: 1\n    b: 2\n\n{UWSGI}");
        assert_eq!(
            section(&text),
            "galaxy:\n    a: 1\n    b: 2\n    job_config_file: \
             /srv/galaxy/config/job_conf-restarter.xml\n"
        );
    }

    #[test]
    fn an_empty_or_missing_galaxy_section_gets_one_line() {
        let expected = "galaxy:\n  job_config_file: /srv/galaxy/config/job_conf-restarter.xml\n";
        assert_eq!(section(&format!("{UWSGI}galaxy:\n")), expected);
        assert_eq!(section(UWSGI), expected);
    }

    #[test]
    fn a_flow_galaxy_section_is_refused() {
        let config = Config::parse(Source::new("zerg.toml", "")).unwrap();
        let text = format!("{UWSGI}galaxy: {{a: 1}}\n");
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        assert!(restarter_galaxy_section(&config, &galaxy).is_err());
    }

    #[test]
    fn sections_holding_the_anchors_it_uses_come_along() {
        let text = format!(
            "defaults: &defaults\n  brand: Shared\n  <<: *base\n{UWSGI}galaxy:\n  <<: *defaults\n  \
             admin_users: a@b.c\n"
        )
        .replace("defaults: &defaults", "base: &base\n  x: 1\nunused: 2\ndefaults: &defaults");
        let restarter = section(&text);
        assert!(restarter.starts_with("base: &base\n  x: 1\ndefaults: &defaults\n"), "{restarter}");
        assert!(!restarter.contains("unused"), "{restarter}");
        let (original, copied) = loaded(&text, &restarter);
        assert_eq!(original, copied);
    }

    #[test]
    fn kept_trailing_lines_of_a_block_scalar_stay() {
        let text = format!("{UWSGI}galaxy:\n  brand: x\n  keep: |+\n    kept trailing\n\n\n");
        let restarter = section(&text);
        assert!(restarter.contains("kept trailing\n\n\n  job_config_file"), "{restarter:?}");
        let (original, copied) = loaded(&text, &restarter);
        assert_eq!(original, copied);
    }

    #[test]
    fn an_anchored_job_config_file_keeps_its_meaning_for_its_aliases() {
        let text =
            format!("{UWSGI}galaxy:\n  job_config_file: &jc job_conf.xml\n  other_job_conf: *jc\n");
        let restarter = section(&text);
        assert!(restarter.contains("job_config_file: &jc job_conf.xml\n"), "{restarter}");
        assert!(restarter.ends_with(&format!("  job_config_file: {RESTARTER_JOB_CONF}\n")));
        let (original, copied) = loaded(&text, &restarter);
        assert_eq!(original, copied);
    }

    #[test]
    fn a_job_config_file_merged_in_is_overridden_after_it() {
        let text = format!(
            "d: &d\n  job_config_file: job_conf.xml\n{UWSGI}galaxy:\n  <<: *d\n  brand: x\n"
        );
        let restarter = section(&text);
        let (original, copied) = loaded(&text, &restarter);
        assert_eq!(original, copied);
    }

    #[test]
    fn an_empty_job_config_file_gets_a_value() {
        let text = format!("{UWSGI}galaxy:\n  job_config_file:\n  brand: x\n");
        let restarter = section(&text);
        assert!(restarter.contains(&format!("job_config_file: {RESTARTER_JOB_CONF}\n  brand")));
    }

    #[test]
    fn aliases_into_the_uwsgi_section_are_refused() {
        let config = Config::parse(Source::new("zerg.toml", "")).unwrap();
        let text = "uwsgi:\n  virtualenv: &venv /srv/galaxy/venv\ngalaxy:\n  venv: *venv\n";
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        let err = restarter_galaxy_section(&config, &galaxy).unwrap_err();
        assert!(err.message().contains("`&venv` of the uwsgi section"), "{}", err.message());
    }

    #[test]
    fn a_lost_setting_is_caught_before_anything_is_written() {
        // The safeguard itself: a copy that drops a setting does not load as the original.
        let text = format!("{UWSGI}galaxy:\n  brand: x\n");
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        let anchors = Anchors::of(&galaxy.root).unwrap();
        let original = &galaxy.galaxy.as_ref().unwrap().entry.value;
        let lost = format!("galaxy:\n  job_config_file: {RESTARTER_JOB_CONF}\n");
        assert!(check_same(&galaxy, &anchors, original, &lost, RESTARTER_JOB_CONF).is_err());
    }
}
