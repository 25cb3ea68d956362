//! The command line, as clap reads it; the doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

/// Generate, lint and diff the uWSGI configuration of a Galaxy server that restarts without
/// downtime in Zerg mode while its job handlers run as uWSGI mules.
#[derive(Debug, Parser)]
#[command(name = "zergcfg", version, about, max_term_width = 100)]
pub struct Args {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, ClapArgs)]
pub struct Global {
    /// Say which files were read and written, and why.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,

    /// Print errors only.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the pool and zergling vassals, the restarter and its job conf.
    Build(BuildArgs),
    /// Show what `build` would change, file by file, with secrets masked; write nothing.
    Diff(DiffArgs),

    /// Check the dance's files for known mistakes: the deployment's, or the files given.
    Lint(LintArgs),

    /// Explain a lint rule: what it catches, why, an example, and how to silence it.
    Explain(ExplainArgs),
}

/// Where the deployment is described and where it is installed.
#[derive(Debug, ClapArgs)]
pub struct Deployment {
    /// The deployment's zerg.toml [default: ./zerg.toml].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Treat DIR as / for the whole layout: installed files are read and written under it.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, ClapArgs)]
pub struct BuildArgs {
    #[command(flatten)]
    pub deployment: Deployment,

    /// Write nothing; exit 1 if any file would be created or changed, 0 if all are current.
    #[arg(long)]
    pub check: bool,
}

/// Arguments of `zergcfg diff`.
#[derive(Debug, ClapArgs)]
pub struct DiffArgs {
    #[command(flatten)]
    pub deployment: Deployment,

    /// Output: a unified diff per file, or a JSON change list.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,

    /// Print secret values (passwords, `id_secret`, tokens) in clear instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,
}

/// Output formats of `zergcfg diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Unified diffs, restart notes and a summary.
    Human,
    /// One JSON object: files, summary, restart notes.
    Json,
}

impl Deployment {
    /// The zerg.toml to read.
    pub fn config_path(&self) -> PathBuf {
        self.config.clone().unwrap_or_else(|| PathBuf::from(zergcfg::config::FILE_NAME))
    }
}

/// How lint findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with the lines at fault, and a summary.
    Human,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions annotations (`::error file=...`).
    Github,
}

#[derive(Debug, ClapArgs)]
pub struct LintArgs {
    #[command(flatten)]
    pub deployment: Deployment,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Files or directories to lint [default: the deployment's files, from zerg.toml].
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, ClapArgs)]
pub struct ExplainArgs {
    /// A rule's code (ZC101) or name (restarter-has-mules).
    #[arg(value_name = "CODE|NAME", required_unless_present = "list", conflicts_with = "list")]
    pub rule: Option<String>,

    /// List every rule.
    #[arg(long)]
    pub list: bool,
}
