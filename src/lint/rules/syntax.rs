//! What the syntax and layout rules (codes ZC301 to ZC403) share: the uWSGI sections of a file set, exact
//! spans inside option values, the vassals directory and the `galaxy:`
//! section of galaxy.yml.

use std::path::{Path, PathBuf};

use crate::lint::{FileSet, LintFile, Role};
use crate::source::Span;
use crate::uwsgi::{self, UwsgiOption};
use crate::yaml;

/// Every file with a readable `uwsgi:` section, with its index and options.
pub fn uwsgi_files(set: &FileSet) -> impl Iterator<Item = (usize, &LintFile, &[UwsgiOption])> {
    set.files.iter().enumerate().filter_map(|(index, file)| Some((index, file, file.options()?)))
}

/// galaxy.yml and zergling A, whose mules and farms are the job handlers of Galaxy, with their
/// indexes and options.
pub fn handler_files(set: &FileSet) -> impl Iterator<Item = (usize, &[UwsgiOption])> {
    uwsgi_files(set)
        .filter(|(_, file, _)| matches!(file.role, Role::GalaxyConfig | Role::Zergling))
        .map(|(index, _, options)| (index, options))
}

/// The span a finding about an option's value points at: the value, or the key when the value
/// is empty (a zero-width span is hard to see).
pub fn value_or_key(option: &UwsgiOption) -> Span {
    if option.value_span.is_empty() { option.key_span.clone() } else { option.value_span.clone() }
}

/// A file's directory as a path to compare: `.` for a bare file name.
fn or_current(parent: &Path) -> &Path {
    if parent.as_os_str().is_empty() { Path::new(".") } else { parent }
}

/// The directories the Emperor starts vassals from: zerg.toml's `layout.vassals`, and each
/// directory that is evidently one (see [`crate::lint::layout`]).
pub fn vassals_dirs(set: &FileSet) -> Vec<PathBuf> {
    crate::lint::layout::vassals_dirs(set)
}

/// Whether `path` sits directly in one of `dirs`. zerg.toml names paths on the target machine
/// while lint may read a copy under another root, so a directory also matches by its trailing
/// components (`/tmp/copy/srv/galaxy/vassals` is `/srv/galaxy/vassals`).
pub fn in_dirs(path: &Path, dirs: &[PathBuf]) -> bool {
    let Some(parent) = path.parent().map(or_current) else {
        return false;
    };
    dirs.iter().any(|dir| {
        parent == dir
            || (dir.is_absolute()
                && dir.components().count() > 1
                && parent.ends_with(dir.strip_prefix("/").unwrap_or(dir)))
    })
}

/// A file's `uwsgi:` options, parsing the text when the file's role did not (a file in the
/// vassals directory whose role is unknown is still a vassal to the Emperor).
pub fn options_of(file: &LintFile) -> Option<std::borrow::Cow<'_, [UwsgiOption]>> {
    if let Some(options) = file.options() {
        return Some(std::borrow::Cow::Borrowed(options));
    }
    if file.yaml.is_some() {
        return None;
    }
    let ext = file.source.path.extension()?.to_str()?;
    if !matches!(ext, "yml" | "yaml") {
        return None;
    }
    let documents = yaml::parse(&file.source.text).ok()?;
    let section = documents.first()?.root.get_last("uwsgi")?;
    uwsgi::options(&section.value).ok().map(std::borrow::Cow::Owned)
}

/// The bytes of the line holding `offset`, without its line break.
pub fn line_at(text: &str, offset: usize) -> Span {
    let start = text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let end = if text[start..end].ends_with('\r') { end - 1 } else { end };
    start..end
}

/// Where a finding about a whole file points: its first line that is not blank, a comment or
/// an XML declaration.
pub fn first_content_line(text: &str) -> Span {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        let skip = trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with("<?")
            || trimmed.starts_with("<!--");
        if !skip {
            return line_at(text, offset);
        }
        offset += line.len();
    }
    line_at(text, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_content_line_is_past_a_byte_order_mark_and_comments() {
        let text = "\u{feff}# c\nuwsgi:\n";
        assert_eq!(&text[first_content_line(text)], "uwsgi:");
    }

    #[test]
    fn directories_match_under_a_root() {
        let dirs = vec![PathBuf::from("/srv/galaxy/vassals")];
        assert!(in_dirs(Path::new("/srv/galaxy/vassals/galaxy.yml"), &dirs));
        assert!(in_dirs(Path::new("/tmp/copy/srv/galaxy/vassals/galaxy.yml"), &dirs));
        assert!(!in_dirs(Path::new("/srv/galaxy/config/galaxy.yml"), &dirs));
        assert!(!in_dirs(Path::new("/srv/galaxy/vassals/old/galaxy.yml"), &dirs));
    }

    #[test]
    fn lines() {
        let text = "# c\n\nuwsgi:\r\n  a: b\n";
        assert_eq!(&text[first_content_line(text)], "uwsgi:");
        assert_eq!(&text[line_at(text, 15)], "  a: b");
    }
}
