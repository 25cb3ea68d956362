//! Zergling A's job-handler names, from its `mule` and `farm` lines the way Galaxy derives them:
//! the mule at position N of farm F is `<server_name>.<F>.<N>`. The names themselves come from
//! the same function lint uses, so build and lint never disagree on them.

use crate::error::{Error, Result};
use crate::galaxy::GalaxyYml;
use crate::jobconf::restarter::HandlerName;
use crate::lint::rules::common::mule_handlers;
use crate::uwsgi;

const CODE: &str = "zergcfg::galaxy";

/// Every handler name of zergling A, in farm order.
///
/// # Errors
/// No mules, a malformed farm, a farm id naming no mule, or no job-handler farm at all.
pub fn handler_names(galaxy: &GalaxyYml) -> Result<Vec<HandlerName>> {
    let source = &galaxy.source;
    let mules = uwsgi::mule_count(&galaxy.uwsgi);
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
    let mut any_farm = false;
    for option in galaxy.uwsgi.iter().filter(|o| o.key == "farm") {
        let farm = uwsgi::parse_farm(&option.value).map_err(|why| {
            Error::at(
                CODE,
                source,
                option.value_span.clone(),
                format!("malformed farm: {why}"),
                "here",
            )
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
            .with_help(
                "uWSGI refuses to start; add `mule:` lines or remove the id from the farm",
            ));
        }
        any_farm |= uwsgi::farm_tag(&farm.name).is_some();
    }

    if !any_farm {
        return Err(Error::at(
            CODE,
            source,
            galaxy.uwsgi_key.clone(),
            "galaxy.yml's mules are in no `job-handlers` farm, so Galaxy does not make them handlers",
            "no `farm: job-handlers:...` line in this section",
        )
        .with_help("add `farm: job-handlers:1,2` (one id per mule that should handle jobs)"));
    }
    let names = mule_handlers(&galaxy.uwsgi, &galaxy.server_name());
    Ok(names.into_iter().map(|m| m.name).collect())
}
