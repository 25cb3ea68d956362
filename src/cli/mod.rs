//! Command-line front end: argument parsing, dispatch, and everything that is printed.

mod args;
mod build;
mod diff;
mod explain;
mod lint;
mod output;

use clap::Parser;

use args::{Args, Command};

/// Exit code: nothing to report.
pub const OK: i32 = 0;
/// Exit code: findings or changes were reported.
pub const FOUND: i32 = 1;
/// Exit code: the tool could not do its job.
pub const FAILED: i32 = 2;

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { FAILED } else { OK };
            let _ = e.print();
            return code;
        }
    };
    let out = output::Output::new(&args.global);

    let code = match &args.command {
        Command::Build(build) => build::run(&out, build),
        Command::Diff(diff) => diff::run(&out, diff),
        Command::Lint(lint) => lint::run(&out, lint),
        Command::Explain(explain) => explain::run(&out, explain),
    };

    // A report that could not be delivered must not pass for a clean one in CI.
    match output::written() {
        output::Written::All | output::Written::ReaderGone => code,
        output::Written::Failed(reason) => {
            out.warning(&format!("could not write the output: {reason}"));
            FAILED
        }
    }
}
