//! Paths as zergcfg compares and prints them: written without `.`, `..` or doubled slashes, so
//! that two spellings of one place are seen to be one, and quoted for a POSIX shell when a
//! command line holds them.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// `path` without `.` components, with each `..` taking away the component before it and with
/// doubled or trailing slashes gone: `/srv/galaxy/./config//../vassals/` is
/// `/srv/galaxy/vassals`. Only the text is looked at; symbolic links are not followed.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

/// `base` joined with `value` and normalized.
pub fn resolve(base: &Path, value: &str) -> PathBuf {
    normalize(&base.join(value))
}

/// `path` made absolute against the current directory (when it is relative) and normalized,
/// for comparing the names of files found here.
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(path))
    }
}

/// One argument of a command line as a POSIX shell reads it: as it is when it holds only
/// characters no shell treats specially, else in single quotes (a `'` inside as `'\''`).
pub fn shell_quote(arg: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        Cow::Borrowed(arg)
    } else {
        Cow::Owned(format!("'{}'", arg.replace('\'', "'\\''")))
    }
}

/// A command line of `args`, each quoted as [`shell_quote`] does.
pub fn shell_command<S: AsRef<str>>(args: &[S]) -> String {
    args.iter().map(|a| shell_quote(a.as_ref())).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_removes_dots_and_doubled_slashes() {
        assert_eq!(normalize(Path::new("/srv/galaxy/./config//")), Path::new("/srv/galaxy/config"));
        assert_eq!(
            normalize(Path::new("/srv/galaxy/config/../vassals")),
            Path::new("/srv/galaxy/vassals")
        );
        assert_eq!(normalize(Path::new("/../x")), Path::new("/x"));
        assert_eq!(normalize(Path::new("a/../../b")), Path::new("../b"));
        assert_eq!(normalize(Path::new("../../b")), Path::new("../../b"));
        assert_eq!(absolute(Path::new("/srv/../../x/")), Path::new("/x"));
        assert!(
            absolute(Path::new("a/../b")).ends_with("b") && absolute(Path::new("b")).is_absolute()
        );
        assert_eq!(
            resolve(Path::new("/srv/galaxy"), "/etc/galaxy/./galaxy.yml"),
            Path::new("/etc/galaxy/galaxy.yml")
        );
    }

    #[test]
    fn arguments_are_quoted_only_when_a_shell_would_split_or_expand_them() {
        assert_eq!(shell_quote("/srv/galaxy/venv/bin/uwsgi"), "/srv/galaxy/venv/bin/uwsgi");
        assert_eq!(shell_quote("/srv/my galaxy/venv"), "'/srv/my galaxy/venv'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_command(&["sudo", "-u", "gal axy"]), "sudo -u 'gal axy'");
    }
}
