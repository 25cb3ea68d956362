//! `zergcfg lint`.

use std::path::Path;

use zergcfg::config::{Config, FILE_NAME};
use zergcfg::error::Error;
use zergcfg::lint::report::{self, Format as ReportFormat};
use zergcfg::lint::{self, Severity, load};

use super::FAILED;
use super::args::{Format, LintArgs};
use super::output::Output;

/// Runs `lint`, prints the report and returns the exit code: 0 no error-level finding, 1 some,
/// 2 when a file could not be read or the arguments or zerg.toml are wrong.
pub fn run(out: &Output, args: &LintArgs) -> i32 {
    let root = args.deployment.root.as_deref();

    let config_path = match &args.deployment.config {
        Some(path) => Some(path.clone()),
        None if args.paths.is_empty() && Path::new(FILE_NAME).exists() => Some(FILE_NAME.into()),
        None => None,
    };
    let config = match config_path.as_deref().map(Config::load).transpose() {
        Ok(config) => config,
        Err(e) => {
            out.diagnostic(&e);
            return FAILED;
        }
    };
    if let Some(Err(e)) = config.as_ref().map(lint::check_settings) {
        out.diagnostic(&e);
        return FAILED;
    }

    let set = match (config, args.paths.is_empty()) {
        (Some(config), true) => load::deployment(config, root),
        (config, false) => load::paths(&args.paths, config, root),
        (None, true) => Err(Error::new(
            "zergcfg::lint",
            format!("there is no {FILE_NAME} here and no file to lint was given"),
        )
        .with_help(format!(
            "give the deployment's {FILE_NAME} with --config PATH, or the files to lint"
        ))),
    };
    let (set, skipped) = match set {
        Ok(loaded) => (loaded.set, loaded.skipped),
        Err(e) => {
            out.diagnostic(&e);
            return FAILED;
        }
    };
    for skip in &skipped {
        out.detail(&format!("skip {}: {}", skip.path.display(), skip.reason));
    }
    for file in &set.files {
        let guessed = if file.role_assumed { " (guessed)" } else { "" };
        out.detail(&format!("lint {} as {}{guessed}", file.source.name(), file.role.describe()));
    }

    let mut findings = lint::run(&set);
    let code = lint::exit_code(&findings);
    if out.quiet {
        findings.retain(|f| f.severity == Severity::Error);
    }

    let format = match args.format {
        Format::Human => ReportFormat::Human { color: out.color.stdout, summary: !out.quiet },
        Format::Json => ReportFormat::Json,
        Format::Sarif => ReportFormat::Sarif,
        Format::Github => ReportFormat::Github,
    };
    Output::report(&report::render(&set, &findings, format));
    code
}
