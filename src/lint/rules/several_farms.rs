//! ZC309 `several-farms`: galaxy.yml or zergling A has more than one `farm` line, and Galaxy
//! never sees any but the last.
//!
//! uWSGI 2.0's Python plugin builds `uwsgi.opt` meaning to collect a repeated option into a
//! list, but under Python 3 it never finds the key it looks up and stores each value over the
//! one before: a repeated option holds its last value only (unbit/uwsgi#1374, fixed after 2.0;
//! seen with Debian's 2.0.21 and PyPI's 2.0.31). Galaxy 21.09 reads its farms from
//! `uwsgi.opt['farm']`, so it knows the last farm alone, while uWSGI runs every farm: the mules
//! of the others run, but Galaxy makes them no job handlers and gives them no handler name.

use super::syntax::handler_files;
use crate::lint::rules::common::{option_span, server_name};
use crate::lint::{FileSet, Finding, Rule, RuleInfo, Severity};
use crate::plan::handlers::one_farm_help;
use crate::uwsgi::mule_count;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC309",
    name: "several-farms",
    severity: Severity::Error,
    summary: "galaxy.yml or zergling A has more than one `farm` line: Galaxy under Python 3 sees \
              only the last",
    why: "uWSGI 2.0 gives Python 3 one value per option in `uwsgi.opt`, the last one written (a \
          uWSGI bug fixed after 2.0, in no 2.0.x release), and Galaxy reads its farms from \
          there. uWSGI itself runs every farm, so the mules of the other farms run, but Galaxy \
          makes them no job handlers: they get no `main.job-handlers.N` name, the jobs a \
          restarter preassigns to such a name are never run, and when the last farm is a tag \
          farm Galaxy does not start at all. Galaxy on Python 2 (up to 20.01) read every `farm` \
          line. Put every handler mule in one `farm: job-handlers:...` line and send tools to \
          particular mules in the job conf instead: map a tool to a mule's handler name, or tag \
          a mule in `<handlers>`.",
    bad: "uwsgi:\n  mule: lib/galaxy/main.py\n  mule: lib/galaxy/main.py\n  \
          mule: lib/galaxy/main.py\n  farm: job-handlers:1,2\n  farm: job-handlers.special:3\n",
    good: "uwsgi:\n  mule: lib/galaxy/main.py\n  mule: lib/galaxy/main.py\n  \
           mule: lib/galaxy/main.py\n  farm: job-handlers:1,2,3\n\n<!-- job_conf.xml -->\n\
           <handlers>\n    <handler id=\"main.job-handlers.3\" tags=\"special\"/>\n</handlers>\n",
};

/// The rule.
pub struct SeveralFarms;

impl Rule for SeveralFarms {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, options) in handler_files(set) {
            let farms: Vec<_> = options.iter().filter(|o| o.key == "farm").collect();
            let Some((last, hidden)) = farms.split_last() else {
                continue;
            };
            let help = one_farm_help(mule_count(options).unwrap_or_default(), &server_name(set));
            for farm in hidden {
                out.push(
                    Finding::new(
                        &RULE,
                        index,
                        option_span(farm),
                        format!(
                            "Galaxy never sees `farm: {}`: under Python 3 it reads only the last \
                             `farm` line (`farm: {}`), since uWSGI 2.0 keeps one value per \
                             option in `uwsgi.opt`, so the mules of this farm are no job handlers",
                            farm.value, last.value
                        ),
                        "Galaxy never sees this farm",
                        help.clone(),
                    )
                    .with_related(
                        index,
                        option_span(last),
                        "the only farm Galaxy sees",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Role;
    use crate::lint::rules::tests::{check, set};

    const TWO: &str = "uwsgi:\n  mule: a.py\n  mule: a.py\n  mule: a.py\n  \
                       farm: job-handlers:1,2\n  farm: job-handlers.special:3\n";

    fn spans(role: Role, text: &str) -> Vec<String> {
        check(&SeveralFarms, &set(&[(role, text)]))
            .iter()
            .map(|f| text[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn every_farm_line_before_the_last_is_flagged() {
        for role in [Role::GalaxyConfig, Role::Zergling] {
            assert_eq!(spans(role, TWO), ["farm: job-handlers:1,2"]);
        }
        let three = format!("{TWO}  farm: job-handlers:1\n");
        assert_eq!(
            spans(Role::Zergling, &three),
            ["farm: job-handlers:1,2", "farm: job-handlers.special:3"]
        );

        let found = check(&SeveralFarms, &set(&[(Role::Zergling, TWO)]));
        assert!(found[0].message.contains("(`farm: job-handlers.special:3`)"));
        assert_eq!(&TWO[found[0].related[0].span.clone()], "farm: job-handlers.special:3");
        assert!(found[0].help.contains("`farm: job-handlers:1,2,3`"), "{}", found[0].help);
    }

    #[test]
    fn one_farm_line_and_other_files_are_clean() {
        assert!(spans(Role::Zergling, "uwsgi:\n  mule: a.py\n  farm: job-handlers:1\n").is_empty());
        // The restarter's farms are ZC101's; another application's vassal is its own business.
        assert!(spans(Role::Restarter, TWO).is_empty());
        assert!(spans(Role::Other, TWO).is_empty());
    }

    #[test]
    fn the_help_names_galaxys_server_name() {
        let galaxy = "uwsgi:\n  processes: 1\ngalaxy:\n  server_name: gx\n";
        let s = set(&[(Role::Zergling, TWO), (Role::GalaxyConfig, galaxy)]);
        let found = check(&SeveralFarms, &s);
        assert!(found[0].help.contains("handler=\"gx.job-handlers.3\""), "{}", found[0].help);
    }
}
