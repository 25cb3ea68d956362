//! Where and how things are printed: results on stdout, problems on stderr, colour only when
//! asked for or on a terminal, and a closed pipe (`| head`) ends quietly.

use std::io::{ErrorKind, IsTerminal, Write};
use std::sync::Mutex;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

use super::args::{ColorChoice, Global};

/// Printing settings for one run.
pub struct Output {
    /// Print errors only.
    pub quiet: bool,
    /// Explain what was read and written.
    pub verbose: bool,
    /// Where colour is used.
    pub color: Colors,
}

/// Which streams get colour.
#[derive(Debug, Clone, Copy)]
pub struct Colors {
    /// Diagnostics on stderr.
    pub stderr: bool,
    /// Reports on stdout.
    pub stdout: bool,
}

impl Output {
    pub fn new(global: &Global) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |terminal: bool| match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Self {
            quiet: global.quiet,
            verbose: global.verbose,
            color: Colors {
                stderr: decide(std::io::stderr().is_terminal()),
                stdout: decide(std::io::stdout().is_terminal()),
            },
        }
    }

    /// Prints a result line on stdout (unless quiet).
    pub fn line(&self, text: &str) {
        if !self.quiet {
            write_stdout(format!("{text}\n").as_bytes());
        }
    }

    /// Prints a report on stdout as it is (it ends with its own newline), even when quiet:
    /// it is what was asked for.
    pub fn report(text: &str) {
        write_stdout(text.as_bytes());
    }

    /// Prints a warning on stderr, even when quiet.
    pub fn warning(&self, text: &str) {
        let text = if self.color.stderr {
            format!("\x1b[1m\x1b[31mwarning:\x1b[0m {text}")
        } else {
            format!("warning: {text}")
        };
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    /// Prints a `-v` explanation on stderr.
    pub fn detail(&self, text: &str) {
        if self.verbose {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        }
    }

    /// The value, or `None` once the error is printed as a diagnostic.
    pub fn or_report<T>(&self, result: zergcfg::error::Result<T>) -> Option<T> {
        result.map_err(|e| self.diagnostic(&e)).ok()
    }

    /// Renders a diagnostic on stderr.
    pub fn diagnostic(&self, diagnostic: &dyn Diagnostic) {
        let _ = writeln!(std::io::stderr().lock(), "{}", render(diagnostic, self.color.stderr));
    }
}

/// Renders a diagnostic as text, with or without colour.
pub fn render(diagnostic: &dyn Diagnostic, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut text = String::new();
    if handler.render_report(&mut text, diagnostic).is_err() {
        text = diagnostic.to_string();
    }
    text.trim_end().to_string()
}

/// How writing to stdout has gone so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Everything was written.
    All,
    /// The reader went away (`zergcfg ... | head`): the rest was dropped on purpose, and the
    /// command's own exit code still stands.
    ReaderGone,
    /// Writing failed (a full disk, an I/O error): what was asked for was not delivered.
    Failed(String),
}

static WRITTEN: Mutex<Written> = Mutex::new(Written::All);

/// How writing to stdout has gone, for the exit code.
pub fn written() -> Written {
    WRITTEN.lock().map_or(Written::All, |w| w.clone())
}

fn write_stdout(bytes: &[u8]) {
    let Ok(mut state) = WRITTEN.lock() else { return };
    if *state != Written::All {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        *state = if e.kind() == ErrorKind::BrokenPipe {
            Written::ReaderGone
        } else {
            Written::Failed(e.to_string())
        };
    }
}
