//! `build` and `diff` never panic: mutations of the bundled example's zerg.toml, galaxy.yml and
//! job conf end in a plan or in an error, never in a crash.

use std::fs;

use proptest::prelude::*;
use zergcfg::config::Config;
use zergcfg::diff::{Options, diff};
use zergcfg::plan::Plan;
use zergcfg::source::Source;

use crate::lint_robustness::{Mutation, apply, mutation};
use crate::support::fixture_copy;

const INPUTS: [&str; 3] =
    ["zerg.toml", "srv/galaxy/config/galaxy.yml", "srv/galaxy/config/job_conf.xml"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mutated_inputs_never_panic(
        which in 0usize..3,
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let dir = fixture_copy("example");
        let path = dir.path().join(INPUTS[which]);
        let mut text = fs::read_to_string(&path).unwrap();
        for m in &mutations {
            text = apply(&text, m);
        }
        fs::write(&path, &text).unwrap();

        let toml = fs::read_to_string(dir.path().join("zerg.toml")).unwrap();
        if let Ok(config) = Config::parse(Source::new(dir.path().join("zerg.toml"), toml)) {
            let _ = Plan::compute(&config, Some(dir.path()));
            let _ = diff(&config, Some(dir.path()), Options { show_secrets: false });
        }
    }
}

#[test]
fn mutations_apply() {
    let mutated = apply("ab\ncd\n", &Mutation::DuplicateLine { line: 1 });
    assert_eq!(mutated, "ab\ncd\ncd\n");
}
