//! `zergcfg build`.

use zergcfg::build::build;
use zergcfg::config::Config;
use zergcfg::write::Outcome;

use super::args::BuildArgs;
use super::output::Output;
use super::{FAILED, FOUND, OK};

/// Runs `build` and prints what it did and the commands to run next.
pub fn run(out: &Output, args: &BuildArgs) -> i32 {
    let config = match Config::load(&args.deployment.config_path()) {
        Ok(config) => config,
        Err(e) => {
            out.diagnostic(&e);
            return FAILED;
        }
    };
    let root = args.deployment.root.as_deref();

    let report = match build(&config, root, args.check) {
        Ok(report) => report,
        Err(e) => {
            out.diagnostic(&e);
            return FAILED;
        }
    };

    for input in &report.plan.inputs {
        out.detail(&format!("read {}", input.display()));
    }
    for (option, reason) in &report.plan.dropped {
        out.detail(&format!("left out of both zerglings: `{option}` ({reason})"));
    }
    for file in &report.files {
        let word = match (file.outcome, args.check) {
            (Outcome::Created, false) => "created  ",
            (Outcome::Changed, false) => "changed  ",
            (Outcome::Created, true) => "to create",
            (Outcome::Changed, true) => "to change",
            (Outcome::Unchanged, _) => "unchanged",
        };
        out.line(&format!("{word} {}", file.path.display()));
    }

    if args.check {
        return if report.any_change() { FOUND } else { OK };
    }
    out.line("");
    out.line("Start the Emperor once (it starts the pool and zergling A):");
    out.line(&format!("  {}", report.plan.emperor_command));
    out.line("Restart Galaxy without downtime, as the Galaxy user:");
    out.line(&format!("  {}", report.plan.restart_command));
    OK
}
