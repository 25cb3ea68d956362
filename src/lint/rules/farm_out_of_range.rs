//! ZC305 farm-out-of-range: a `farm` whose mule ids do not exist, or a malformed `farm` value.
//!
//! `farm: <name>:<id>[,<id>...]` groups mules by their 1-based position among the instance's
//! mules (one per `mule` line, plus the count of each `mules`). An id of 0, an id above that
//! count, or a value uWSGI cannot split stops the instance at start.
//!
//! A `mule`, `mules` or `farm` line inside an `if-*` or `for` block leaves the count to be
//! decided when uWSGI starts; in galaxy.yml and zergling A that is reported at the line, as
//! `zergcfg build` refuses it (the restarter preassigns jobs to A's handler names, which must
//! be known), and no id is then taken to be out of range.
//!
//! uWSGI splits the ids with `strtok`, which skips empty ones (`1,,2`), and reads each with
//! `atoi` (`1x` is mule 1, `x` is 0); uWSGI 2.0.31 starts with `1,,2` and with `1x`. Galaxy
//! reads the same option with Python's `int()` for every comma-separated part, which fails on
//! an empty part and on `1x`, so those are reported too.

use super::syntax::{uwsgi_files, value_or_key};
use crate::lint::rules::common::option_span;
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::uwsgi::{UwsgiOption, atoi, blocks, mule_count};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC305",
    name: "farm-out-of-range",
    severity: Severity::Error,
    summary: "a `farm` names a mule id of 0 or above the number of mules, is malformed, or has an \
              id Galaxy cannot read; or zergling A's mules or farms sit in an `if-*` or `for` \
              block",
    why: "A farm lists mules by position, from 1 to the number of mules the instance starts (one \
          per `mule` line, plus each `mules` count). uWSGI refuses to start with an id outside \
          that range or a value that is not `name:id[,id...]`; for zergling A started by the \
          Emperor that means a respawn loop and no job handlers at all. uWSGI itself skips an \
          empty id (`1,,2`) and reads `1x` as 1, but Galaxy reads every comma-separated id \
          with Python's `int()` to name its handlers, and fails on both. Mules or farms inside an \
          `if-*` or `for` block in galaxy.yml or zergling A leave the number of handlers and \
          their names to be decided when uWSGI starts, so the restarter cannot be given them.",
    bad: "uwsgi:\n  mule: lib/galaxy/main.py\n  mule: lib/galaxy/main.py\n  farm: \
          job-handlers:1,2,3\n",
    good: "uwsgi:\n  mule: lib/galaxy/main.py\n  mule: lib/galaxy/main.py\n  farm: \
           job-handlers:1,2\n",
};

/// The rule.
pub struct FarmOutOfRange;

impl Rule for FarmOutOfRange {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file, options) in uwsgi_files(set) {
            if matches!(file.role, Role::GalaxyConfig | Role::Zergling) {
                for found in blocks::mules_in_blocks(options) {
                    out.push(Finding::new(
                        &RULE,
                        index,
                        option_span(found.option),
                        found.message(),
                        found.label(),
                        found.help(),
                    ));
                }
            }

            let mules = mule_count(options);
            for farm in options.iter().filter(|o| o.key == "farm") {
                check_farm(&file.source.text, index, farm, mules, out);
            }
        }
    }
}

/// Checks one `farm` line against `mules`, the number of mules the instance starts (`None`
/// when a block decides it, and no id is out of range).
fn check_farm(
    text: &str,
    index: usize,
    farm: &UwsgiOption,
    mules: Option<u32>,
    out: &mut Vec<Finding>,
) {
    let value = farm.value.as_str();
    let ids_help = match mules {
        Some(0) => {
            "add one `mule: lib/galaxy/main.py` line per mule, then list their ids".to_string()
        }
        Some(n) => {
            format!("use ids from 1 to {n}, for example `farm: job-handlers:{}`", id_list(n))
        }
        None => "list mule ids from 1, one per mule, separated by commas".to_string(),
    };

    let Some((name, ids)) = value.split_once(':').filter(|(n, _)| !n.is_empty()) else {
        out.push(Finding::new(
            &RULE,
            index,
            value_or_key(farm),
            format!("`farm: {value}` is not `name:id[,id...]`, and uWSGI refuses to start with it"),
            "malformed farm",
            format!("write the farm's name, a colon and its mule ids: {ids_help}"),
        ));
        return;
    };

    let mut offset = name.len() + 1;
    for id in ids.split(',') {
        let range = offset..offset + id.len();
        offset += id.len() + 1;
        let span = farm.value_sub_span(text, range.clone());

        let span = if id.is_empty() {
            // Point at the comma (or colon) before the empty part.
            let at = farm.value_sub_span(text, range.start.saturating_sub(1)..range.start);
            if at.is_empty() { value_or_key(farm) } else { at }
        } else {
            span
        };

        let (message, label) = match atoi(id) {
            _ if id.trim().is_empty() => (
                format!(
                    "farm `{name}` has an empty mule id: uWSGI skips it, but Galaxy reads every \
                     comma-separated id with Python's `int()` and fails on it"
                ),
                "empty id",
            ),
            0 => (
                if python_int(id) {
                    format!("farm `{name}` names mule 0, but mule ids start at 1")
                } else {
                    format!("`{id}` in farm `{name}` is not a mule id, and uWSGI refuses to start")
                },
                if python_int(id) { "mule 0" } else { "not a number" },
            ),
            n if n < 0 || mules.is_some_and(|m| n > i64::from(m)) => (
                format!(
                    "farm `{name}` names mule {n}, but the instance starts {}",
                    match mules {
                        Some(0) => "no mules".to_string(),
                        Some(1) => "only 1 mule".to_string(),
                        Some(m) => format!("only {m} mules"),
                        None => "none of that number".to_string(),
                    }
                ),
                "no such mule",
            ),
            n if !python_int(id) => (
                format!(
                    "`{id}` in farm `{name}` is mule {n} to uWSGI, which reads only its leading \
                     digits, but Galaxy reads it with Python's `int()` and fails on it"
                ),
                "not a plain number",
            ),
            _ => continue,
        };
        out.push(Finding::new(&RULE, index, span, message, label, ids_help.clone()));
    }
}

/// Whether Python's `int()` reads `id`: blanks around an optional sign and digits, with single
/// underscores between digits.
fn python_int(id: &str) -> bool {
    let id = id.trim();
    let digits = id.strip_prefix(['+', '-']).unwrap_or(id);
    !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_')
}

/// `1,2,...,n`.
fn id_list(n: u32) -> String {
    (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set, single};

    fn spans(text: &str) -> Vec<String> {
        check(&FarmOutOfRange, &single(text))
            .iter()
            .map(|f| text[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn ids_in_range_are_clean() {
        let text = "uwsgi:\n  mule: a.py\n  mules: 2\n  farm: job-handlers:1,2,3\n";
        assert!(spans(text).is_empty());
    }

    #[test]
    fn out_of_range_zero_and_malformed() {
        let text = "uwsgi:\n  mule: a.py\n  mule: a.py\n  farm: job-handlers:0,2,3\n  \
                    farm: job-handlers\n  farm: x:1,y\n";
        assert_eq!(spans(text), vec!["0", "3", "job-handlers", "y"]);
        let found = check(&FarmOutOfRange, &single(text));
        assert!(found[1].help.contains("job-handlers:1,2"), "{}", found[1].help);
    }

    #[test]
    fn empty_and_trailing_garbage_ids_agree_with_uwsgi_and_galaxy() {
        let text = "uwsgi:\n  mule: a.py\n  mule: a.py\n  farm: job-handlers:1,,2\n";
        let found = check(&FarmOutOfRange, &single(text));
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].span.clone()], ",");
        assert!(found[0].message.contains("uWSGI skips it"), "{}", found[0].message);

        let text = "uwsgi:\n  mule: a.py\n  mule: a.py\n  farm: job-handlers:1x, 2\n";
        let found = check(&FarmOutOfRange, &single(text));
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].span.clone()], "1x");
        assert!(found[0].message.contains("is mule 1 to uWSGI"), "{}", found[0].message);
    }

    #[test]
    fn mules_in_blocks_are_reported_in_galaxy_files_and_never_out_of_range() {
        // `for-times: 3` starts three mules: the farm is not out of range, but the count is
        // decided when uWSGI starts, which `zergcfg build` refuses for zergling A.
        let text = "uwsgi:\n  for-times: 3\n  mule: a.py\n  endfor: x\n  \
                    farm: job-handlers:1,2,3\n";
        for role in [Role::Zergling, Role::GalaxyConfig] {
            let found = check(&FarmOutOfRange, &set(&[(role, text)]));
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(&text[found[0].span.clone()], "mule: a.py");
            assert_eq!(found[0].message, "a `mule` line inside the `for-times: 3` block");
            assert!(found[0].help.contains("outside `if-*` and `for` blocks"));
        }
        // Another application's vassal may do so; its ids are not taken to be out of range.
        assert!(check(&FarmOutOfRange, &set(&[(Role::Other, text)])).is_empty());
        let text = "uwsgi:\n  mule: a.py\n  ifenv: X\n  farm: job-handlers:1\n  endif: x\n";
        let found = check(&FarmOutOfRange, &set(&[(Role::Zergling, text)]));
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].span.clone()], "farm: job-handlers:1");
    }

    #[test]
    fn no_mules() {
        let text = "uwsgi:\n  farm: job-handlers:1\n";
        let found = check(&FarmOutOfRange, &single(text));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("no mules"));
    }
}
