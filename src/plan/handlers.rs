//! Zergling A's job-handler names and the pools each one serves, as Galaxy 21.09 under Python 3
//! derives them (`UWSGIApplicationStack` in `lib/galaxy/web_stack/__init__.py`, checked with
//! Galaxy's own code by `compat/galaxy/`):
//!
//! - uWSGI 2.0 gives Python 3 one value per option in `uwsgi.opt`, the last one written (its
//!   Python plugin means to collect repeated options into a list but never finds the key it
//!   looks up), so Galaxy's `configured_pools` holds the last `farm` line only. uWSGI itself
//!   runs every farm: the mules of the others run, but Galaxy makes them no handlers. Several
//!   `farm` lines are refused.
//! - The one farm must be `job-handlers`: Galaxy makes its mules the default handlers, the mule
//!   at position N named `<server_name>.job-handlers.<N>` (`_farm_server_names`), in the pool
//!   `_default_`. A tag farm `job-handlers.<tag>` as the only farm makes Galaxy 21.09 fail at
//!   start (its workflow scheduling sees a handler pool but no `job-handlers` farm and raises
//!   `AttributeError: 'WorkflowSchedulingManager' object has no attribute 'pool_for_tag'`).
//! - The main job conf's `<handlers>` gives a mule more pools: a `<handler
//!   id="main.job-handlers.3" tags="special"/>` puts mule 3 in the pool `special`, and Galaxy
//!   then adds it to `_default_` with the rest of its farm (`_init_job_handler_subpools`).
//!
//! The restarter preassigns jobs to the names A's mules actually run, each in the pools A gives it.

use crate::error::{Error, Result};
use crate::galaxy::GalaxyYml;
use crate::jobconf::restarter::HandlerName;
use crate::jobconf::{DEFAULT_HANDLER_TAG, Handlers, JobConf};
use crate::source::{Source, Span};
use crate::uwsgi::{self, Farm, UwsgiOption};

const CODE: &str = "zergcfg::galaxy";

/// The base pool of Galaxy's job handlers (`JobConfiguration.DEFAULT_BASE_HANDLER_POOLS`).
pub const BASE_POOL: &str = "job-handlers";

/// The `farm` line Galaxy sees: the last one, the value uWSGI 2.0 leaves in `uwsgi.opt`.
pub fn seen_farm(options: &[UwsgiOption]) -> Option<&UwsgiOption> {
    options.iter().rev().find(|o| o.key == "farm")
}

/// Whether a farm name is one of Galaxy's tag farms, `job-handlers.<tag>`.
pub fn is_tag_farm(name: &str) -> bool {
    name.starts_with("job-handlers.")
}

/// The handler names Galaxy gives the mules of `farm` when it is the `job-handlers` farm, in
/// the farm's order, each mule once (at its first place, as Galaxy counts positions); none for
/// any other farm.
pub fn farm_names(farm: &Farm, server_name: &str) -> Vec<String> {
    if farm.name != BASE_POOL {
        return Vec::new();
    }
    let mut names: Vec<String> = Vec::new();
    for &mule in &farm.mules {
        let position = farm.mules.iter().position(|&m| m == mule).map_or(0, |i| i + 1);
        let name = format!("{server_name}.{BASE_POOL}.{position}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The pools Galaxy puts the mule named `id` in: the tags of the first `<handler id="...">` of
/// that name in zergling A's `<handlers>` (Galaxy ignores a repeated definition; no `tags` is
/// the default pool), then `_default_`, which its farm adds. Empty tags, which no tool can be
/// mapped to, are left out.
pub fn mule_pools(id: &str, handlers: Option<&Handlers>) -> Vec<String> {
    let defined = handlers.and_then(|h| h.handlers.iter().find(|h| h.id.value == id));
    let mut pools: Vec<String> = Vec::new();
    let written = defined.map(crate::jobconf::Handler::pools).unwrap_or_default();
    for pool in written.into_iter().chain([DEFAULT_HANDLER_TAG]) {
        if !pool.is_empty() && !pools.iter().any(|p| p == pool) {
            pools.push(pool.to_string());
        }
    }
    pools
}

/// Every handler name of zergling A, in farm order, each with the pools it serves.
///
/// # Errors
/// No mules, several `farm` lines, a malformed farm, a farm id naming no mule, a tag farm as
/// the only farm, no `job-handlers` farm, a mule listed twice, or mules or farms inside an
/// `if-*` or `for` block.
pub fn handler_names(galaxy: &GalaxyYml, job_conf: &JobConf) -> Result<Vec<HandlerName>> {
    let source = &galaxy.source;
    check_blocks(source, &galaxy.uwsgi)?;

    // No mule line is inside a block now, so the count is known.
    let mules = uwsgi::mule_count(&galaxy.uwsgi).unwrap_or_default();
    if mules == 0 {
        return Err(Error::at(
            CODE,
            source,
            galaxy.uwsgi_key.clone(),
            "galaxy.yml's uwsgi section starts no mules, so zergling A would run no job handler",
            "no `mule:` line in this section",
        )
        .with_help(
            "add one `mule: lib/galaxy/main.py` line per job handler and a \
             `farm: job-handlers:1,2` line naming them",
        ));
    }

    let server_name = galaxy.server_name();
    let lines: Vec<&UwsgiOption> = galaxy.uwsgi.iter().filter(|o| o.key == "farm").collect();
    if let [_, second, ..] = lines.as_slice() {
        return Err(several_farms(source, &lines, second, mules, &server_name));
    }

    let Some(option) = lines.first().copied() else {
        return Err(no_handler_farm(galaxy));
    };
    let farm = uwsgi::parse_farm(&option.value).map_err(|why| {
        Error::at(CODE, source, option.value_span.clone(), format!("malformed farm: {why}"), "here")
            .with_help("write it as `farm: job-handlers:1,2` (farm name, colon, mule ids)")
    })?;
    if let Some(id) = farm.mules.iter().find(|&&id| id > mules) {
        return Err(Error::at(
            CODE,
            source,
            option.value_span.clone(),
            format!("farm `{}` names mule {id}, but only {mules} mules are started", farm.name),
            format!("mule {id} does not exist"),
        )
        .with_help("uWSGI refuses to start; add `mule:` lines or remove the id from the farm"));
    }
    if is_tag_farm(&farm.name) {
        return Err(tag_farm_only(source, option, &farm, &server_name));
    }
    if farm.name != BASE_POOL {
        return Err(no_handler_farm(galaxy));
    }
    let twice = farm.mules.iter().enumerate().find(|(i, m)| farm.mules[..*i].contains(m));
    if let Some((_, mule)) = twice {
        return Err(Error::at(
            CODE,
            source,
            option.value_span.clone(),
            format!("farm `{}` lists mule {mule} twice", farm.name),
            "here",
        )
        .with_help("list each mule once"));
    }

    let handlers = job_conf.handlers.as_ref();
    Ok(farm_names(&farm, &server_name)
        .into_iter()
        .map(|id| HandlerName { tags: mule_pools(&id, handlers), id })
        .collect())
}

/// What to write instead of several `farm` lines, for an instance of `mules` mules: one
/// `job-handlers` farm, and the job conf to send tools to particular mules.
pub fn one_farm_help(mules: u32, server_name: &str) -> String {
    let ids: Vec<String> = (1..=mules.max(1)).map(|i| i.to_string()).collect();
    let last = mules.max(1);
    format!(
        "write one `farm: job-handlers:{}` line listing every handler mule, and send a tool's \
         jobs to particular mules in the job conf: map the tool to a mule's handler name \
         (`<tool id=\"...\" handler=\"{server_name}.job-handlers.{last}\"/>`), or tag the mule \
         in `<handlers>` (`<handler id=\"{server_name}.job-handlers.{last}\" tags=\"special\"/>`) \
         and map the tool to the tag",
        ids.join(",")
    )
}

/// The error for several `farm` lines, at the second one.
fn several_farms(
    source: &Source,
    lines: &[&UwsgiOption],
    second: &UwsgiOption,
    mules: u32,
    server_name: &str,
) -> Error {
    let span = |o: &UwsgiOption| -> Span { o.key_span.start..o.value_span.end };
    let mut error = Error::at(
        CODE,
        source,
        span(second),
        "a second `farm` line: Galaxy reads only the last `farm` line under Python 3, since \
         uWSGI 2.0 keeps one value per option in `uwsgi.opt`",
        "a second `farm` line",
    )
    .with_help(one_farm_help(mules, server_name));
    for line in &lines[..lines.len() - 1] {
        error = error.with_label(span(line), "Galaxy never sees this farm");
    }
    error
}

/// The error for a tag farm as the only farm.
fn tag_farm_only(source: &Source, option: &UwsgiOption, farm: &Farm, server_name: &str) -> Error {
    Error::at(
        CODE,
        source,
        option.value_span.clone(),
        format!(
            "the only farm is the tag farm `{}`: with it, Galaxy 21.09's default workflow \
             scheduling fails at start (AttributeError: 'WorkflowSchedulingManager' object has \
             no attribute 'pool_for_tag'), in every web worker and mule",
            farm.name
        ),
        "a tag farm alone",
    )
    .with_help(format!(
        "name the farm `job-handlers` and tag its mules in the job conf's `<handlers>` \
         (`<handler id=\"{server_name}.job-handlers.1\" tags=\"{}\"/>`)",
        farm.name.strip_prefix("job-handlers.").unwrap_or_default()
    ))
}

/// The error for mules in no `job-handlers` farm.
fn no_handler_farm(galaxy: &GalaxyYml) -> Error {
    Error::at(
        CODE,
        &galaxy.source,
        galaxy.uwsgi_key.clone(),
        "galaxy.yml's mules are in no `job-handlers` farm, so Galaxy does not make them handlers",
        "no `farm: job-handlers:...` line in this section",
    )
    .with_help("add `farm: job-handlers:1,2` (one id per mule that should handle jobs)")
}

/// Refuses `mule`, `mules` and `farm` lines inside `if-*` and `for` blocks: uWSGI decides at
/// start how many of them run, and handler names must be known when the restarter is built.
fn check_blocks(source: &Source, options: &[UwsgiOption]) -> Result<()> {
    let Some(found) = uwsgi::blocks::mules_in_blocks(options).into_iter().next() else {
        return Ok(());
    };
    let option = found.option;
    Err(Error::at(
        CODE,
        source,
        option.key_span.start..option.value_span.end,
        found.message(),
        found.label(),
    )
    .with_help(found.help()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN_CONF: &str = "<job_conf><plugins/><destinations/></job_conf>";

    fn names_with(lines: &str, conf: &str) -> Result<Vec<(String, Vec<String>)>> {
        let text = format!("uwsgi:\n  socket: 127.0.0.1:8080\n{lines}");
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        let conf = crate::jobconf::read(&Source::new("job_conf.xml", conf)).unwrap();
        let names = handler_names(&galaxy, &conf)?;
        Ok(names.into_iter().map(|h| (h.id, h.tags)).collect())
    }

    fn names(lines: &str) -> Result<Vec<(String, Vec<String>)>> {
        names_with(lines, PLAIN_CONF)
    }

    fn name(id: &str, tags: &[&str]) -> (String, Vec<String>) {
        (id.to_string(), tags.iter().map(|t| (*t).to_string()).collect())
    }

    #[test]
    fn galaxy_sees_the_last_farm_line() {
        let text = "uwsgi:\n  farm: job-handlers:1\n  farm: other:2\n";
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        assert_eq!(seen_farm(&galaxy.uwsgi).map(|o| o.value.as_str()), Some("other:2"));
        assert!(seen_farm(&[]).is_none());
    }

    #[test]
    fn names_follow_positions_in_the_job_handlers_farm() {
        let got =
            names("  mule: a.py\n  mule: a.py\n  mules: 1\n  farm: job-handlers:3,1,2\n").unwrap();
        assert_eq!(
            got,
            [
                name("main.job-handlers.1", &["_default_"]),
                name("main.job-handlers.2", &["_default_"]),
                name("main.job-handlers.3", &["_default_"]),
            ]
        );
        let farm = uwsgi::parse_farm("job-handlers.special:1").unwrap();
        assert!(farm_names(&farm, "main").is_empty());
    }

    #[test]
    fn the_job_conf_tags_a_mule_and_its_farm_keeps_it_default() {
        // As Galaxy 21.09 builds its pools: the static handler's tags first, then the farm adds
        // every mule to `_default_`.
        let conf = "<job_conf><plugins/><handlers><handler id=\"main.job-handlers.2\" \
                    tags=\"special, gpu,\"/><handler id=\"main.job-handlers.2\" tags=\"x\"/>\
                    <handler id=\"handler0\" tags=\"special\"/><handler \
                    id=\"main.job-handlers.1\"/></handlers><destinations/></job_conf>";
        let got = names_with("  mule: a.py\n  mule: a.py\n  farm: job-handlers:1,2\n", conf);
        assert_eq!(
            got.unwrap(),
            [
                name("main.job-handlers.1", &["_default_"]),
                name("main.job-handlers.2", &["special", "gpu", "_default_"]),
            ]
        );
    }

    #[test]
    fn several_farm_lines_are_refused_at_the_second() {
        let err = names(
            "  mule: a.py\n  mule: a.py\n  mule: a.py\n  farm: job-handlers:1,2\n  \
             farm: job-handlers.special:3\n",
        )
        .unwrap_err();
        assert!(err.message().starts_with("a second `farm` line: Galaxy reads only the last"));
        let help = miette::Diagnostic::help(&err).map(|h| h.to_string()).unwrap_or_default();
        assert!(help.contains("`farm: job-handlers:1,2,3`"), "{help}");
        assert!(help.contains("handler=\"main.job-handlers.3\""), "{help}");
        assert!(help.contains("tags=\"special\""), "{help}");

        // The same name twice is two lines too.
        let err =
            names("  mule: a.py\n  mule: a.py\n  farm: job-handlers:1\n  farm: job-handlers:2\n")
                .unwrap_err();
        assert!(err.message().starts_with("a second `farm` line"), "{}", err.message());
    }

    #[test]
    fn a_tag_farm_alone_is_refused() {
        let err = names("  mule: a.py\n  farm: job-handlers.special:1\n").unwrap_err();
        assert!(err.message().contains("the tag farm `job-handlers.special`"), "{}", err.message());
        assert!(err.message().contains("pool_for_tag"), "{}", err.message());
        let err = names("  mule: a.py\n  farm: job-handlers.:1\n").unwrap_err();
        assert!(err.message().contains("`job-handlers.`"), "{}", err.message());
    }

    #[test]
    fn other_farms_a_mule_listed_twice_and_bad_ids_are_refused() {
        let err = names("  mule: a.py\n  farm: scheduler:1\n").unwrap_err();
        assert!(err.message().contains("no `job-handlers` farm"), "{}", err.message());
        let err = names("  mule: a.py\n").unwrap_err();
        assert!(err.message().contains("no `job-handlers` farm"), "{}", err.message());
        let err = names("  mule: a.py\n  farm: job-handlers:1,1\n").unwrap_err();
        assert_eq!(err.message(), "farm `job-handlers` lists mule 1 twice");
        let err = names("  mule: a.py\n  farm: job-handlers:1,2\n").unwrap_err();
        assert!(err.message().contains("names mule 2"), "{}", err.message());
        let err = names("  mule: a.py\n  farm: job-handlers\n").unwrap_err();
        assert!(err.message().starts_with("malformed farm"), "{}", err.message());
    }

    #[test]
    fn mules_and_farms_inside_blocks_are_refused() {
        let err = names("  for: 1 2 3\n  mule: a.py\n  endfor: x\n  farm: job-handlers:1,2,3\n")
            .unwrap_err();
        assert_eq!(err.message(), "a `mule` line inside the `for: 1 2 3` block");

        let err = names("  mule: a.py\n  if-env: HANDLERS\n  farm: job-handlers:1\n  endif: x\n")
            .unwrap_err();
        assert!(err.message().contains("`if-env: HANDLERS`"), "{}", err.message());

        // uWSGI's alias `ifexists` opens a block as `if-exists` does; `end` closes one.
        let err = names("  ifexists: /x\n  mule: a.py\n  endif: x\n  farm: job-handlers:1\n")
            .unwrap_err();
        assert_eq!(err.message(), "a `mule` line inside the `ifexists: /x` block");
        let got = names("  if-env: X\n  end: x\n  mule: a.py\n  farm: job-handlers:1\n").unwrap();
        assert_eq!(got, [name("main.job-handlers.1", &["_default_"])]);

        // A block that closed before the mules is fine.
        let got = names(
            "  if-env: X\n  processes: 2\n  endif: x\n  mule: a.py\n  farm: job-handlers:1\n",
        )
        .unwrap();
        assert_eq!(got, [name("main.job-handlers.1", &["_default_"])]);
    }
}
