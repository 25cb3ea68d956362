//! Zergling A's job-handler names, from its `mule` and `farm` lines the way Galaxy 21.09 derives
//! them (`UWSGIApplicationStack` in `lib/galaxy/web_stack/__init__.py`):
//!
//! - Galaxy reads the `farm` lines into a dictionary keyed by farm name, so a repeated name keeps
//!   the mules of its last line, at the place of its first (`configured_pools`).
//! - A mule takes the name of the first farm, in that order, that lists it (`_farm_name`), and its
//!   position there (`_mule_index_in_farm`, the first place its id appears, counted from 1):
//!   `<server_name>.<farm>.<position>`.
//! - The farm `job-handlers` is the default pool of job handlers and every farm
//!   `job-handlers.<tag>` the pool of that tag (`_init_job_handler_subpools`); Galaxy lists a
//!   pool's members under the farm's own name (`_farm_server_names`), whatever their names are.
//!
//! The restarter preassigns jobs to the names A's mules actually run. Layouts where Galaxy would
//! not run a handler under the name it lists, or would not deliver a pool's jobs to its members,
//! are refused.

use crate::error::{Error, Result};
use crate::galaxy::GalaxyYml;
use crate::jobconf::restarter::HandlerName;
use crate::source::Source;
use crate::uwsgi::{self, UwsgiOption};

const CODE: &str = "zergcfg::galaxy";

/// The base pool of Galaxy's job handlers (`JobConfiguration.DEFAULT_BASE_HANDLER_POOLS`).
const BASE_POOL: &str = "job-handlers";

/// A farm Galaxy makes a pool of job handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerPool<'n> {
    /// `job-handlers`: the default handlers.
    Default,
    /// `job-handlers.<tag>`: the handlers of that tag.
    Tag(&'n str),
}

/// One farm as Galaxy keeps it: the mules of the last line with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool<'o> {
    /// The farm name.
    pub name: String,
    /// The mule ids of its last line, in the order written.
    pub mules: Vec<u32>,
    /// That last line.
    pub option: &'o UwsgiOption,
    /// Every line with this name, in order.
    pub lines: Vec<&'o UwsgiOption>,
}

impl Pool<'_> {
    /// Which pool of job handlers this farm is, if it is one.
    pub fn handler_pool(&self) -> Option<HandlerPool<'_>> {
        if self.name == BASE_POOL {
            Some(HandlerPool::Default)
        } else {
            self.name.strip_prefix("job-handlers.").map(HandlerPool::Tag)
        }
    }

    /// The position Galaxy gives `mule` in this farm (from 1), if the farm lists it.
    pub fn position(&self, mule: u32) -> Option<usize> {
        self.mules.iter().position(|&m| m == mule).map(|i| i + 1)
    }
}

/// The farms in Galaxy's order, each with the mules of its last line.
///
/// # Errors
/// A `farm` value without `:`, with no name, or with an id that is not a number from 1 (the
/// reason, with the line).
pub fn pools(options: &[UwsgiOption]) -> Result<Vec<Pool<'_>>, (String, &UwsgiOption)> {
    let mut pools: Vec<Pool<'_>> = Vec::new();
    for option in options.iter().filter(|o| o.key == "farm") {
        let farm = uwsgi::parse_farm(&option.value).map_err(|why| (why, option))?;
        match pools.iter_mut().find(|p| p.name == farm.name) {
            Some(pool) => {
                pool.mules = farm.mules;
                pool.option = option;
                pool.lines.push(option);
            }
            None => {
                pools.push(Pool {
                    name: farm.name,
                    mules: farm.mules,
                    option,
                    lines: vec![option],
                });
            }
        }
    }
    Ok(pools)
}

/// The server name Galaxy gives mule `mule`: after the first farm that lists it, at its
/// position there; `None` for a mule in no farm (Galaxy makes it no handler).
pub fn mule_name(pools: &[Pool<'_>], mule: u32, server_name: &str) -> Option<String> {
    pools.iter().find_map(|pool| {
        pool.position(mule).map(|position| format!("{server_name}.{}.{position}", pool.name))
    })
}

/// Every handler name of zergling A, in farm order.
///
/// # Errors
/// No mules, a malformed farm, a farm id naming no mule, no job-handler farm at all, mules or
/// farms inside an `if-*` or `for` block, or a layout Galaxy mishandles (a handler farm named
/// twice, a handler mule in a second farm or listed twice, a farm named `job-handlers.`).
pub fn handler_names(galaxy: &GalaxyYml) -> Result<Vec<HandlerName>> {
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

    // Every farm must be well-formed and name started mules before any name is trusted.
    let pools = pools(&galaxy.uwsgi).map_err(|(why, option)| {
        Error::at(CODE, source, option.value_span.clone(), format!("malformed farm: {why}"), "here")
            .with_help("write it as `farm: job-handlers:1,2` (farm name, colon, mule ids)")
    })?;
    for option in galaxy.uwsgi.iter().filter(|o| o.key == "farm") {
        let Ok(farm) = uwsgi::parse_farm(&option.value) else {
            continue;
        };
        if let Some(id) = farm.mules.iter().find(|&&id| id > mules) {
            return Err(Error::at(
                CODE,
                source,
                option.value_span.clone(),
                format!("farm `{}` names mule {id}, but only {mules} mules are started", farm.name),
                format!("mule {id} does not exist"),
            )
            .with_help(
                "uWSGI refuses to start; add `mule:` lines or remove the id from the farm",
            ));
        }
    }

    check_pools(source, &pools, &galaxy.server_name())?;
    if !pools.iter().any(|p| p.handler_pool().is_some()) {
        return Err(Error::at(
            CODE,
            source,
            galaxy.uwsgi_key.clone(),
            "galaxy.yml's mules are in no `job-handlers` farm, so Galaxy does not make them handlers",
            "no `farm: job-handlers:...` line in this section",
        )
        .with_help("add `farm: job-handlers:1,2` (one id per mule that should handle jobs)"));
    }

    let server_name = galaxy.server_name();
    let mut names = Vec::new();
    for pool in &pools {
        let tag = match pool.handler_pool() {
            Some(HandlerPool::Default) => None,
            Some(HandlerPool::Tag(tag)) => Some(tag),
            None => continue,
        };
        for &mule in &pool.mules {
            if let Some(id) = mule_name(&pools, mule, &server_name) {
                names.push(HandlerName { id, tag: tag.map(str::to_string) });
            }
        }
    }
    Ok(names)
}

/// Refuses the layouts in which Galaxy would list a handler under a name no mule runs, or send
/// a pool's jobs to mules that do not handle them.
fn check_pools(source: &Source, pools: &[Pool<'_>], server_name: &str) -> Result<()> {
    for pool in pools.iter().filter(|p| p.handler_pool().is_some()) {
        if pool.name == "job-handlers." {
            return Err(Error::at(
                CODE,
                source,
                pool.option.value_span.clone(),
                "the farm `job-handlers.` gives its mules an empty handler tag",
                "no tag after `job-handlers.`",
            )
            .with_help(
                "name the farm `job-handlers` (the default handlers) or `job-handlers.<tag>`",
            ));
        }

        if let [first, .., last] = pool.lines.as_slice() {
            return Err(Error::at(
                CODE,
                source,
                last.key_span.start..last.value_span.end,
                format!("a second `farm: {}:...` line", pool.name),
                "a second farm with this name",
            )
            .with_help(format!(
                "Galaxy keeps only the mules of the last `{0}` line while uWSGI sends the pool's \
                 jobs to the mules of the first (`{1}`), so some jobs would wait for a mule that \
                 does not handle them; write one `farm: {0}:...` line listing every mule",
                pool.name, first.value
            )));
        }

        for (index, &mule) in pool.mules.iter().enumerate() {
            if pool.mules[..index].contains(&mule) {
                return Err(Error::at(
                    CODE,
                    source,
                    pool.option.value_span.clone(),
                    format!("farm `{}` lists mule {mule} twice", pool.name),
                    "here",
                )
                .with_help("list each mule once"));
            }

            let others: Vec<&Pool<'_>> = pools
                .iter()
                .filter(|p| p.name != pool.name && p.position(mule).is_some())
                .collect();
            let Some(other) = others.first() else {
                continue;
            };
            let runs = mule_name(pools, mule, server_name).unwrap_or_default();
            let later = if pool.option.value_span.start > other.option.value_span.start {
                pool.option
            } else {
                other.option
            };
            // Where Galaxy lists the mule under a name it does not run.
            let misnamed = pools.iter().filter(|p| p.handler_pool().is_some()).find_map(|p| {
                let listed = format!("{server_name}.{}.{}", p.name, p.position(mule)?);
                (listed != runs).then_some((p.name.as_str(), listed))
            });
            let consequence = match misnamed {
                Some((farm, listed)) => format!(
                    "; it would run as `{runs}` while Galaxy lists it in `{farm}` as `{listed}`, \
                     a name no process runs"
                ),
                None => String::new(),
            };
            return Err(Error::at(
                CODE,
                source,
                later.value_span.clone(),
                format!(
                    "mule {mule} is in the handler farm `{}` and in the farm `{}`",
                    pool.name, other.name
                ),
                format!("mule {mule} again"),
            )
            .with_help(format!(
                "Galaxy 21.09 refuses to run a mule that is in more than one farm (\"Mule \
                 {mule} is in multiple farms!\"){consequence}; put each mule in one farm"
            )));
        }
    }
    Ok(())
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

    fn options(lines: &str) -> Vec<UwsgiOption> {
        let text = format!("uwsgi:\n{lines}");
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        galaxy.uwsgi
    }

    fn names(lines: &str) -> Result<Vec<(String, Option<String>)>> {
        let text = format!("uwsgi:\n  socket: 127.0.0.1:8080\n{lines}");
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        let names = handler_names(&galaxy)?;
        Ok(names.into_iter().map(|h| (h.id, h.tag)).collect())
    }

    fn name(id: &str, tag: Option<&str>) -> (String, Option<String>) {
        (id.to_string(), tag.map(str::to_string))
    }

    #[test]
    fn a_repeated_farm_name_keeps_its_last_mules_at_its_first_place() {
        // `configured_pools` is a dict: a later line replaces the mules, not the order.
        let options =
            options("  farm: job-handlers:1\n  farm: other:2\n  farm: job-handlers:2,3\n");
        let pools = pools(&options).unwrap();
        let summary: Vec<(&str, &[u32])> =
            pools.iter().map(|p| (p.name.as_str(), p.mules.as_slice())).collect();
        assert_eq!(summary, [("job-handlers", &[2, 3][..]), ("other", &[2][..])]);
        assert_eq!(pools[0].lines.len(), 2);
    }

    #[test]
    fn a_mule_is_named_after_the_first_farm_that_lists_it() {
        // `_farm_name` is `_farms[0]`, `instance_id` its index in that farm plus one.
        let options =
            options("  farm: other:1\n  farm: job-handlers:1,2\n  farm: job-handlers.special:2\n");
        let pools = pools(&options).unwrap();
        assert_eq!(mule_name(&pools, 1, "main").as_deref(), Some("main.other.1"));
        assert_eq!(mule_name(&pools, 2, "main").as_deref(), Some("main.job-handlers.2"));
        assert_eq!(mule_name(&pools, 3, "main"), None);
    }

    #[test]
    fn positions_count_the_first_place_of_an_id() {
        let options = options("  farm: job-handlers:3,1,3\n");
        let pools = pools(&options).unwrap();
        assert_eq!(pools[0].position(3), Some(1));
        assert_eq!(pools[0].position(1), Some(2));
        assert_eq!(pools[0].position(2), None);
    }

    #[test]
    fn handler_pools_are_job_handlers_and_its_dotted_tags() {
        let options = options(
            "  farm: job-handlers:1\n  farm: job-handlers.a.b:1\n  farm: job-handlersx:1\n",
        );
        let pools = pools(&options).unwrap();
        let tags: Vec<Option<HandlerPool<'_>>> = pools.iter().map(Pool::handler_pool).collect();
        assert_eq!(tags, [Some(HandlerPool::Default), Some(HandlerPool::Tag("a.b")), None]);
    }

    #[test]
    fn names_follow_positions_in_each_handler_farm() {
        let got = names(
            "  mule: a.py\n  mule: a.py\n  mule: a.py\n  mules: 1\n  farm: job-handlers:2,1\n  \
             farm: job-handlers.special:3\n  farm: scheduler:4\n",
        )
        .unwrap();
        assert_eq!(
            got,
            [
                name("main.job-handlers.1", None),
                name("main.job-handlers.2", None),
                name("main.job-handlers.special.1", Some("special")),
            ]
        );
    }

    #[test]
    fn a_handler_mule_in_a_second_farm_is_refused() {
        // Galaxy names mule 2 `main.job-handlers.2` but lists it in the special pool as
        // `main.job-handlers.special.1`; its farm messaging refuses mules in several farms.
        let err = names(
            "  mule: a.py\n  mule: a.py\n  farm: job-handlers:1,2\n  farm: job-handlers.special:2\n",
        )
        .unwrap_err();
        assert_eq!(
            err.message(),
            "mule 2 is in the handler farm `job-handlers` and in the farm `job-handlers.special`"
        );

        let err = names("  mule: a.py\n  mule: a.py\n  farm: other:1\n  farm: job-handlers:1,2\n")
            .unwrap_err();
        assert!(err.message().contains("mule 1"), "{}", err.message());
    }

    #[test]
    fn a_handler_farm_named_twice_is_refused() {
        let err =
            names("  mule: a.py\n  mule: a.py\n  farm: job-handlers:1\n  farm: job-handlers:2\n")
                .unwrap_err();
        assert_eq!(err.message(), "a second `farm: job-handlers:...` line");
    }

    #[test]
    fn a_mule_listed_twice_or_an_empty_tag_is_refused() {
        let err = names("  mule: a.py\n  farm: job-handlers:1,1\n").unwrap_err();
        assert_eq!(err.message(), "farm `job-handlers` lists mule 1 twice");
        let err = names("  mule: a.py\n  farm: job-handlers.:1\n").unwrap_err();
        assert!(err.message().contains("empty handler tag"), "{}", err.message());
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
        assert_eq!(got, [name("main.job-handlers.1", None)]);

        // A block that closed before the mules is fine.
        let got = names(
            "  if-env: X\n  processes: 2\n  endif: x\n  mule: a.py\n  farm: job-handlers:1\n",
        )
        .unwrap();
        assert_eq!(got, [name("main.job-handlers.1", None)]);
    }
}
