//! The findings the framework makes itself, before any rule runs: ZC001 for a file that does not
//! read or parse, ZC003 for each assumption lint had to make (a role guessed, a directory taken
//! for the Emperor's or not from what it holds), and ZC302 for a byte-order mark that one of
//! uWSGI's YAML readers trips over.

use super::{
    ASSUMED_ROLE, FileSet, Finding, LintFile, Role, UNREADABLE_INPUT, layout, load, rules,
};
use crate::source::Span;

/// ZC001 for every file that did not read or parse, ZC003 for every role guessed and every
/// directory whose part (the Emperor's or not) was judged from what it holds, and ZC302 for a
/// byte-order mark that one of uWSGI's YAML readers trips over.
pub(super) fn findings(set: &FileSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, file) in set.files.iter().enumerate() {
        if let Some(reason) = &file.read_error {
            findings.push(Finding::new(
                &UNREADABLE_INPUT,
                index,
                0..0,
                format!("cannot read {}: {reason}", file.source.name()),
                "cannot read this file",
                "check the path and its permissions; lint reads regular files of UTF-8 text only, \
                 never FIFOs, sockets or devices",
            ));
            continue;
        }
        // A file only libyaml cannot read is still read by a PyPI uWSGI and linted as it reads
        // it; ZC302 and ZC303 report the syntax then.
        if let Some(Err(e)) = file.yaml.as_ref().filter(|_| !rules::effective::recoverable(file)) {
            findings.push(Finding::new(
                &UNREADABLE_INPUT,
                index,
                onto_tabs(&file.source.text, visible(&file.source.text, &e.span)),
                format!("this file is not valid YAML: {}", e.message),
                "the YAML parser stops here",
                "fix the YAML syntax at this point: libyaml (Debian's uWSGI) and PyYAML (Galaxy) \
                 refuse the file as it is",
            ));
        }
        if let Some(Err(e)) = &file.job_conf {
            findings.push(Finding::new(
                &UNREADABLE_INPUT,
                index,
                e.span.clone(),
                format!("this job conf cannot be read: {}", e.message),
                "here",
                e.help.clone(),
            ));
        }
        if file.role_assumed {
            findings.push(assumed_role(set, index, file));
        }
        if let Some(finding) = byte_order_mark(index, file) {
            findings.push(finding);
        }
    }
    findings.extend(judged_directories(set));
    findings
}

/// ZC003 for a file whose role was guessed: the role, and what gave it away.
fn assumed_role(set: &FileSet, index: usize, file: &LintFile) -> Finding {
    let guess = load::infer_role(&file.source);
    let message = if guess.role == file.role {
        format!("linted as {}: {}", guess.role.describe(), guess.reason)
    } else {
        // Loading took the guess back: another file has that role by name or by zerg.toml.
        let holder = set
            .files
            .iter()
            .find(|f| f.role == guess.role && !f.role_assumed)
            .map_or_else(String::new, |f| {
                format!(": `{}` is {}", f.source.name(), guess.role.describe())
            });
        format!(
            "linted as {}, though it would pass for {} ({}){holder}",
            file.role.describe(),
            guess.role.describe(),
            guess.reason
        )
    };
    Finding::new(
        &ASSUMED_ROLE,
        index,
        guess.span,
        message,
        "role guessed from this",
        "if the guess is wrong, give `--config zerg.toml` so that the file's path names its role, \
         or give the file its canonical name (vassal-zergpool.yml, vassal-zergling.yml, \
         galaxy-restarter.yml, galaxy.yml, job_conf.xml, job_conf-restarter.xml)",
    )
}

/// ZC302 for a byte-order mark right before `uwsgi:`. Debian's uWSGI (libyaml) skips the mark;
/// the PyPI build's line-based reader takes `<mark>uwsgi:` for another key and loads nothing
/// from the file, silently. Before anything else (a comment, `---`) both read the file alike.
fn byte_order_mark(index: usize, file: &LintFile) -> Option<Finding> {
    let read_by_uwsgi = file.yaml.is_some() && file.role != Role::GalaxyConfig;
    let after = file.source.text.strip_prefix('\u{feff}')?;
    if !read_by_uwsgi || !after.starts_with("uwsgi:") {
        return None;
    }
    Some(Finding::new(
        &rules::unportable_yaml::RULE,
        index,
        0..'\u{feff}'.len_utf8(),
        "the file starts with a byte-order mark right before `uwsgi:`: Debian's uWSGI (libyaml) \
         skips it, but PyPI's uWSGI reads the line as another key and loads nothing from the \
         file, without a word",
        "byte-order mark",
        "save the file as UTF-8 without a byte-order mark (in vim `:set nobomb`, then `:w`), or \
         put a comment line above `uwsgi:`",
    ))
}

/// ZC003 for each directory whose part was judged from what it holds: a directory holding the
/// pool or zergling A and only vassals is taken for the Emperor's, which matters to the other
/// vassals in it (ZC401); one holding galaxy.yml, the restarter or a job conf beside them is a
/// folder of configuration files, where ZC402 does not apply.
fn judged_directories(set: &FileSet) -> Vec<Finding> {
    let dirs = layout::directories(set);
    let name = |i: &usize| format!("`{}`", file_name(&set.files[*i]));
    let dance_vassals = |dir: &std::path::Path| {
        let names: Vec<String> = (0..set.files.len())
            .filter(|i| matches!(set.files[*i].role, Role::Pool | Role::Zergling))
            .filter(|i| layout::parent(&set.files[*i].source.path) == dir)
            .map(|i| name(&i))
            .collect();
        names.join(" and ")
    };

    let mut findings = Vec::new();
    for dir in dirs.vassals.iter().filter(|d| d.evidence == layout::Evidence::OnlyVassals) {
        let others: Vec<usize> = (0..set.files.len())
            .filter(|i| set.files[*i].role == Role::Other)
            .filter(|i| layout::started_by_emperor(&set.files[*i].source.path))
            .filter(|i| layout::parent(&set.files[*i].source.path) == dir.path)
            .collect();
        let Some(&first) = others.first() else {
            continue;
        };
        findings.push(Finding::new(
            &ASSUMED_ROLE,
            first,
            rules::syntax::first_content_line(&set.files[first].source.text),
            format!(
                "checked as a vassal of the Emperor: `{}` holds {} and nothing that is no vassal, \
                 so it is taken for the vassals directory",
                dir.path.display(),
                dance_vassals(&dir.path)
            ),
            "checked as a vassal",
            "give `--config zerg.toml` so that `layout.vassals` says which directory the Emperor \
             starts vassals from",
        ));
    }
    for folder in &dirs.config_folders {
        let Some(&first) = folder.non_vassals.first() else {
            continue;
        };
        let names: Vec<String> = folder.non_vassals.iter().map(name).collect();
        let dir = folder.path.display();
        findings.push(Finding::new(
            &ASSUMED_ROLE,
            first,
            rules::syntax::first_content_line(&set.files[first].source.text),
            format!(
                "`{dir}` is taken for a folder of configuration files, not the Emperor's vassals \
                 directory: besides {} it holds {}, which are no vassals; ZC402 is not checked there",
                dance_vassals(&folder.path),
                names.join(", ")
            ),
            "not a vassal, in a folder of configuration files",
            format!(
                "if the Emperor does start vassals from `{dir}`, move {} out of it; name the \
                 directory `vassals`, or give `--config zerg.toml` whose `layout.vassals` names \
                 it, to have it checked as the vassals directory",
                names.join(", ")
            ),
        ));
    }
    findings
}

/// A file's name without its directory.
fn file_name(file: &LintFile) -> String {
    file.source.path.file_name().map_or_else(|| file.source.name(), |n| n.to_string_lossy().into())
}

/// A parser's position right after tabs, moved onto them: the YAML parser stops after the tabs
/// it refuses, but the tabs are what the reader has to find and fix.
pub(super) fn onto_tabs(text: &str, span: Span) -> Span {
    if !span.is_empty() {
        return span;
    }
    let before = &text[..crate::source::floor_char_boundary(text, span.start)];
    let tabs = before.len() - before.trim_end_matches('\t').len();
    if tabs == 0 { span } else { span.start - tabs..span.start }
}

/// A parser's position at the very end of the file, moved onto the end of the last line so
/// that it can be shown (an offset past the last line break has no line to point at).
fn visible(text: &str, span: &Span) -> Span {
    if span.start < text.len() || text.is_empty() {
        return span.clone();
    }
    let end = text.trim_end_matches(['\n', '\r']).len();
    end..end
}
