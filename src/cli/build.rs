//! `zergcfg build`.

use zergcfg::build::build;
use zergcfg::config::Config;
use zergcfg::paths::shell_command;
use zergcfg::plan::Role;
use zergcfg::rundirs::NotWritable;
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
    for file in report.files.iter().filter(|f| f.destination != f.path) {
        out.detail(&format!(
            "{} is a symbolic link: written through it to {}",
            file.path.display(),
            file.destination.display()
        ));
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

    for dir in &report.run_dirs.not_writable {
        out.warning(&not_writable(&config.user, dir));
    }

    out.line("");
    let missing = &report.run_dirs.missing;
    if !missing.is_empty() {
        out.line("Create these directories, owned by the Galaxy user, before the Emperor starts:");
        let mut command = vec!["sudo", "install", "-d", "-o", &config.user];
        let dirs: Vec<String> = missing.iter().map(|d| d.display().to_string()).collect();
        command.extend(dirs.iter().map(String::as_str));
        out.line(&format!("  {}", shell_command(&command)));
    }
    out.line("Start the Emperor once, as the Galaxy user (it starts the pool and zergling A):");
    out.line(&format!("  {}", report.plan.emperor_command));
    out.line("Restart Galaxy without downtime, as the Galaxy user:");
    out.line(&format!("  {}", report.plan.restart_command));
    OK
}

/// The warning for a run-time directory Galaxy's user could not create its files in.
fn not_writable(user: &str, dir: &NotWritable) -> String {
    let settings = dir.settings.join(", ");
    let path = dir.dir.display();
    match dir.owner_mode {
        None => format!(
            "{user} (layout.user) cannot create files in {path}, a system directory, so the \
             files of {settings} could not be created at start\n  help: give them a directory \
             of Galaxy's own in zerg.toml, such as {own} created and owned by {user}",
            own = dir.dir.join(user).display(),
        ),
        Some((owner, mode)) => format!(
            "{user} (layout.user) cannot create files in {path} (owner uid {owner}, mode \
             {mode:04o}), so the files of {settings} could not be created at start\n  help: \
             {command}",
            command = shell_command(&["sudo", "chown", user, &path.to_string()]),
        ),
    }
}
