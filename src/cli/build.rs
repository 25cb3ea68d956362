//! `zergcfg build`.

use zergcfg::build::build;
use zergcfg::config::Config;
use zergcfg::plan::Role;
use zergcfg::write::Outcome;

use super::args::BuildArgs;
use super::output::Output;
use super::{FAILED, FOUND, OK};

/// Runs `build` and prints what it did and the commands to run next.
pub fn run(out: &Output, args: &BuildArgs) -> i32 {
    let Some(config) = out.or_report(Config::load(&args.deployment.config_path())) else {
        return FAILED;
    };
    let root = args.deployment.root.as_deref();

    let Some(report) = out.or_report(build(&config, root, args.check)) else {
        return FAILED;
    };

    for input in &report.plan.inputs {
        out.detail(&format!("read {}", input.display()));
    }
    for (option, reason) in &report.plan.dropped {
        let line = format!("left out of both zerglings: `{option}` ({reason})");
        out.detail(&report.plan.secrets.hide(&line));
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
    for (path, unreadable) in &report.unreadable {
        let role = report.files.iter().find(|f| &f.path == path).map(|f| f.role);
        let consequence = match role {
            Some(Role::Pool | Role::Zergling) => {
                "the Emperor, run as that user, could not start that vassal"
            }
            _ => "the restart command would fail",
        };
        out.warning(&format!(
            "{user} (layout.user) cannot read {path} (owner uid {owner}, mode {mode:04o}), so \
             {consequence}\n  help: set layout.group in zerg.toml to a group {user} is in (the \
             file becomes 0640), or chown the file to {user}",
            user = config.user,
            path = path.display(),
            owner = unreadable.owner,
            mode = unreadable.mode,
        ));
    }

    out.line("");
    if !report.missing_dirs.is_empty() {
        out.line("Create these directories, owned by the Galaxy user, before the Emperor starts:");
        for dir in &report.missing_dirs {
            out.line(&format!("  {}", dir.display()));
        }
    }
    out.line("Start the Emperor once, as the Galaxy user (it starts the pool and zergling A):");
    out.line(&format!("  {}", report.plan.emperor_command));
    out.line("Restart Galaxy without downtime, as the Galaxy user:");
    out.line(&format!("  {}", report.plan.restart_command));
    OK
}
