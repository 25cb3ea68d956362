//! Lint never panics: arbitrary text and mutations of the bundled example's files (the installed
//! galaxy.yml and job conf, and the four files `zergcfg build` writes) go through the readers,
//! every rule and every report, under every role.

use proptest::prelude::*;
use zergcfg::lint::report::{self, Format};
use zergcfg::lint::{FileSet, LintFile, Role, load, run};
use zergcfg::source::Source;

use crate::support::repo;

const ROLES: [Role; 7] = [
    Role::Pool,
    Role::Zergling,
    Role::Restarter,
    Role::GalaxyConfig,
    Role::JobConf,
    Role::RestarterJobConf,
    Role::Other,
];

/// The example's files, each with its role.
fn examples() -> Vec<(Role, String)> {
    let config = repo().join("fixtures/example/srv/galaxy/config");
    let built = repo().join("tests/cmd/build/example.out/srv/galaxy");
    [
        (Role::GalaxyConfig, config.join("galaxy.yml")),
        (Role::JobConf, config.join("job_conf.xml")),
        (Role::Pool, built.join("vassals/vassal-zergpool.yml")),
        (Role::Zergling, built.join("vassals/vassal-zergling.yml")),
        (Role::Restarter, built.join("config/galaxy-restarter.yml")),
        (Role::RestarterJobConf, built.join("config/job_conf-restarter.xml")),
    ]
    .into_iter()
    .map(|(role, path)| (role, std::fs::read_to_string(path).unwrap()))
    .collect()
}

/// Runs every rule and report over `set`.
fn lint_everything(set: &FileSet) {
    let findings = run(set);
    for format in [Format::Human { color: false, summary: true }, Format::Json, Format::Sarif] {
        let _ = report::render(set, &findings, format);
    }
    let _ = report::render(set, &findings, Format::Github);
}

/// One edit of a text, on character boundaries.
#[derive(Debug, Clone)]
pub enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    DuplicateLine { line: usize },
    Truncate { at: usize },
}

pub fn apply(text: &str, mutation: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    match mutation {
        Mutation::Delete { at, len } => {
            let at = at % (n + 1);
            let end = (at + len).min(n);
            chars[..at].iter().chain(&chars[end..]).collect()
        }
        Mutation::Insert { at, text } => {
            let at = at % (n + 1);
            let mut out: String = chars[..at].iter().collect();
            out.push_str(text);
            out.extend(&chars[at..]);
            out
        }
        Mutation::DuplicateLine { line } => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            if lines.is_empty() {
                return text.to_string();
            }
            let line = line % lines.len();
            let mut out = String::new();
            for (i, l) in lines.iter().enumerate() {
                out.push_str(l);
                if i == line {
                    out.push_str(l);
                }
            }
            out
        }
        Mutation::Truncate { at } => chars[..at % (n + 1)].iter().collect(),
    }
}

/// Pieces that matter to the readers and rules: YAML and XML syntax, uWSGI options, comments.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(": ".to_string()),
        Just("\n  ".to_string()),
        Just("\n- ".to_string()),
        Just("#".to_string()),
        Just(" # zergcfg: ignore[ZC101] why\n".to_string()),
        Just("<!-- zergcfg: ignore[ZC104] -->".to_string()),
        Just("  mule: x.py\n".to_string()),
        Just("  farm: job-handlers:0,9\n".to_string()),
        Just("  if-exists: /x\n".to_string()),
        Just("  endif:\n".to_string()),
        Just("  hook-asap: writefifo:/x\n".to_string()),
        Just("<handler id=\"\"/>".to_string()),
        Just("</handlers>".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
        Just("é\u{feff}".to_string()),
        "[\\[\\]{}<>&*!|>'\"%@`:#,=/ a-z0-9\n-]{0,12}",
    ]
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), fragment()).prop_map(|(at, text)| Mutation::Insert { at, text }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_text_under_every_role(text in any::<String>()) {
        for role in ROLES {
            let file = LintFile::new(role, false, Source::new("f", text.as_str()));
            lint_everything(&FileSet { files: vec![file], config: None });
        }
        let _ = load::infer_role(&Source::new("f.xml", text.as_str()));
        let _ = load::infer_role(&Source::new("f.yml", text.as_str()));
    }

    #[test]
    fn mutated_examples_under_every_role(
        which in 0usize..6,
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let examples = examples();
        let mut text = examples[which].1.clone();
        for m in &mutations {
            text = apply(&text, m);
        }

        for role in ROLES {
            // The mutated file alone, then in the whole set in place of the original.
            let file = LintFile::new(role, false, Source::new("mutated", text.as_str()));
            lint_everything(&FileSet { files: vec![file.clone()], config: None });

            let mut files: Vec<LintFile> = examples
                .iter()
                .map(|(r, t)| LintFile::new(*r, false, Source::new("example", t.as_str())))
                .collect();
            files[which] = file;
            lint_everything(&FileSet { files, config: None });
        }
        let _ = load::infer_role(&Source::new("mutated", text.as_str()));
    }
}
