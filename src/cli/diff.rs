//! `zergcfg diff`: prints what `build` would change, coloured on a terminal, or as JSON.

use zergcfg::config::Config;
use zergcfg::diff::{self, FileDiff, LineKind, Options, Report};

use super::args::{DiffArgs, DiffFormat};
use super::output::Output;
use super::{FAILED, FOUND, OK};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Width the restart notes are wrapped to.
const WIDTH: usize = 100;

/// Runs `diff`: exit 0 when nothing would change, 1 when something would, 2 on error.
pub fn run(out: &Output, args: &DiffArgs) -> i32 {
    if args.show_secrets {
        out.warning(
            "--show-secrets: secret values are printed IN CLEAR below; do not paste, log or share this output",
        );
    }

    let Some(config) = out.or_report(Config::load(&args.deployment.config_path())) else {
        return FAILED;
    };
    let options = Options { show_secrets: args.show_secrets };
    let Some(report) = out.or_report(diff::diff(&config, args.deployment.root.as_deref(), options))
    else {
        return FAILED;
    };

    for input in &report.plan.inputs {
        out.detail(&format!("read {}", input.display()));
    }
    match args.format {
        DiffFormat::Json => {
            let text = serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
            out.line(&text);
        }
        DiffFormat::Human => print_human(out, &report, out.color.stdout),
    }

    if report.any_change() { FOUND } else { OK }
}

fn print_human(out: &Output, report: &Report, color: bool) {
    let paint = |style: &str, text: &str| {
        if color { format!("{style}{text}{RESET}") } else { text.to_string() }
    };

    for file in report.files.iter().filter(|f| f.status != zergcfg::write::Outcome::Unchanged) {
        print_file(out, file, &paint);
        out.line("");
    }

    if !report.notes.is_empty() {
        out.line(&paint(BOLD, "Before you build:"));
        for (i, note) in report.notes.iter().enumerate() {
            for (j, line) in wrap(&note.text, WIDTH - 2).into_iter().enumerate() {
                let marker = if j == 0 { "- " } else { "  " };
                out.line(&format!("{marker}{line}"));
            }
            // Consecutive notes that need the same command print it once, after the last.
            let next = report.notes.get(i + 1).and_then(|n| n.command.as_deref());
            if let Some(command) = note.command.as_deref().filter(|c| next != Some(*c)) {
                out.line(&format!("    {command}"));
            }
        }
        out.line("");
    }

    out.line(&report.summary().sentence());
}

fn print_file(out: &Output, file: &FileDiff, paint: &dyn Fn(&str, &str) -> String) {
    let word = diff::status_word(file.status);
    out.line(&paint(BOLD, &format!("{word} {} ({})", file.on_disk.display(), role(file))));
    if let Some(mode) = file.mode {
        match mode.from {
            Some(from) => out.line(&format!("mode {from:04o} -> {:04o}", mode.to)),
            None => out.line(&format!("mode {:04o} (new file)", mode.to)),
        }
    }
    if let Some(group) = file.group {
        match group.from {
            Some(from) => out.line(&format!("group {from} -> {}", group.to)),
            None => out.line(&format!("group {} (new file)", group.to)),
        }
    }
    for line in &file.lines {
        let text = match line.kind {
            LineKind::OldHeader | LineKind::NewHeader => paint(BOLD, &line.text),
            LineKind::Hunk => paint(CYAN, &line.text),
            LineKind::Removed => paint(RED, &line.text),
            LineKind::Added => paint(GREEN, &line.text),
            LineKind::Context | LineKind::NoNewline => line.text.clone(),
        };
        out.line(&text);
    }
}

fn role(file: &FileDiff) -> &'static str {
    match file.role {
        zergcfg::plan::Role::Pool => "zergpool vassal",
        zergcfg::plan::Role::Zergling => "zergling A vassal",
        zergcfg::plan::Role::Restarter => "restarter",
        zergcfg::plan::Role::RestarterJobConf => "restarter job conf",
    }
}

/// Splits `text` into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().map_or(0, |l| l.chars().count());
        if last > 0 && last + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}
