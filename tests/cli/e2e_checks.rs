//! The promises of the double zerg dance, checked on what a run recorded: the client's requests
//! and the stand-in mules' `handlers.log` (see `tests/e2e/standin/mule.py`). Each check returns
//! one line per broken promise, so a test can require none, or require a particular one.

use std::collections::BTreeMap;

use super::client::{Identity, Outcome};

/// Role name of zergling A in the stand-in's answers.
const A: &str = "zergling";

/// Role name of zergling B in the stand-in's answers.
const B: &str = "restarter";

/// Requests: none failed, and serving went A, B, new A for each of `restarts` restarts.
pub(super) fn serving(outcomes: &[Outcome], restarts: usize) -> Vec<String> {
    let mut problems = Vec::new();

    let failed: Vec<usize> = (0..outcomes.len()).filter(|&n| outcomes[n].result.is_err()).collect();
    if let Some(&first) = failed.first() {
        // Who answered just before and after tells which handover lost the request.
        let before = outcomes[..first].iter().rev().find_map(|o| o.result.as_ref().ok());
        let after = outcomes[first..].iter().find_map(|o| o.result.as_ref().ok());
        problems.push(format!(
            "failed requests: {} of {}, the first at {:?} between {} and {}: {:?}",
            failed.len(),
            outcomes.len(),
            outcomes[first].at,
            describe(before),
            describe(after),
            outcomes[first].result
        ));
    }

    // Instances in the order they first answered; a transition may interleave two of them for a
    // moment, but an instance must not answer again once its successor's successor has.
    let answered: Vec<&Identity> = outcomes.iter().filter_map(|o| o.result.as_ref().ok()).collect();
    let mut order: Vec<&Identity> = Vec::new();
    for identity in &answered {
        let known = order.iter().position(|seen| seen == identity);
        match known {
            None => order.push(identity),
            Some(index) if index + 2 < order.len() => problems.push(format!(
                "{} (master {}) answered after {} (master {}) had taken over",
                identity.role,
                identity.master,
                order[index + 2].role,
                order[index + 2].master
            )),
            Some(_) => {}
        }
    }

    let roles: Vec<String> =
        order.iter().map(|i| format!("{} (master {})", i.role, i.master)).collect();
    let expected: Vec<&str> = (0..=2 * restarts).map(|n| if n % 2 == 0 { A } else { B }).collect();
    let seen: Vec<&str> = order.iter().map(|i| i.role.as_str()).collect();
    if seen != expected {
        problems.push(format!("serving order {roles:?}, expected the roles {expected:?}"));
    }
    if answered.last().is_some_and(|last| last.role != A) {
        problems.push("the last request was not served by zergling A".to_owned());
    }

    for identity in &order {
        let file =
            if identity.role == A { "/config/galaxy.yml" } else { "/config/galaxy-restarter.yml" };
        if !identity.config.ends_with(file) {
            problems.push(format!(
                "{} (master {}) was given galaxy_config_file {:?}, expected …{file}",
                identity.role, identity.master, identity.config
            ));
        }
    }
    problems
}

fn describe(identity: Option<&Identity>) -> String {
    identity.map_or_else(
        || "nothing".to_owned(),
        |identity| format!("{} (master {})", identity.role, identity.master),
    )
}

/// One line of `handlers.log`.
#[derive(Debug)]
struct Event<'a> {
    kind: &'a str,
    name: &'a str,
    pid: &'a str,
    at: u64,
}

fn parse(line: &str) -> Option<Event<'_>> {
    let mut fields = line.split_whitespace();
    let event = Event {
        kind: fields.next()?,
        name: fields.next()?,
        pid: fields.next()?,
        at: fields.next()?.parse().ok()?,
    };
    fields.next().is_none().then_some(event)
}

/// Handlers: no collision, never two runs of one handler name at once, and each name started
/// at least `runs` times (so the mules really were stopped and started again).
pub(super) fn handlers(log: &str, runs: usize) -> Vec<String> {
    let mut problems = Vec::new();

    let mut events = Vec::new();
    for line in log.lines().filter(|line| !line.trim().is_empty()) {
        match parse(line) {
            Some(event) => events.push(event),
            None => problems.push(format!("unreadable handlers.log line {line:?}")),
        }
    }
    events.sort_by_key(|event| event.at);

    // Per handler name: the PIDs running it now, and how many runs started.
    let mut running: BTreeMap<&str, (Vec<&str>, usize)> = BTreeMap::new();
    for event in &events {
        let (current, started) = running.entry(event.name).or_default();
        match event.kind {
            "collision" => problems.push(format!(
                "collision: pid {} found handler {} already locked",
                event.pid, event.name
            )),
            "start" => {
                if !current.is_empty() {
                    problems.push(format!(
                        "overlap: pid {} started {} while pid {} still ran it",
                        event.pid,
                        event.name,
                        current.join(", ")
                    ));
                }
                current.push(event.pid);
                *started += 1;
            }
            "stop" => {
                let before = current.len();
                current.retain(|pid| *pid != event.pid);
                if current.len() == before {
                    problems.push(format!(
                        "pid {} stopped {} without having started it",
                        event.pid, event.name
                    ));
                }
            }
            other => problems.push(format!("unknown handlers.log event {other:?}")),
        }
    }

    if running.is_empty() {
        problems.push("no handler ever started".to_owned());
    }
    for (name, (_, started)) in &running {
        if *started < runs {
            problems.push(format!("{name} started {started} times, expected {runs}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_handover_has_no_problem() {
        let log = "start main.job-handlers.1 10 100\nstop main.job-handlers.1 10 200\n\
                   start main.job-handlers.1 11 300\n";
        assert!(handlers(log, 2).is_empty());
    }

    #[test]
    fn overlap_and_collision_are_reported() {
        let log = "start main.job-handlers.1 10 100\ncollision main.job-handlers.1 11 150\n\
                   start main.job-handlers.1 11 160\nstop main.job-handlers.1 10 200\n";
        let problems = handlers(log, 1);
        assert!(problems.iter().any(|p| p.starts_with("collision")), "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("overlap")), "{problems:?}");
    }
}
