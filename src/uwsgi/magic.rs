//! uWSGI's magic variables (`%d`, `%n`, ...): uWSGI replaces every `%` and the character after it
//! in a config file's text before it reads the options, and several of them stand for the
//! place of the file itself. Options copied from galaxy.yml into a vassal elsewhere would change
//! meaning, so the place-dependent ones are written out with galaxy.yml's own values, and the
//! ones zergcfg cannot know are refused.
//!
//! As uWSGI 2.0 does it (read with the PyPI and the Debian build): `%p` the absolute path of the
//! file (symbolic links resolved), `%d` its directory with a trailing `/`, `%s` its name, `%e` its
//! extension, `%n` its name without extension, `%c` the name of its directory, `%0`..`%9` the
//! components of the directory; the capital `%P %D %S %E %N %C` are the same for the first file
//! read, galaxy.yml itself. `%o`/`%O` (the path as typed on the command line), `%v` (the current
//! directory at start), `%i`/`%I` (the file's inode) and `%j`/`%J` (a hash of its path) are not
//! known at build time. `%%` is a `%`; every other pair is kept as written, since it means the
//! same in any file (`%(name)` placeholders, `%h`, `%k`, `%t`, `%x` which is empty in YAML files).
//! A `%` at the end of a line swallows the line break and joins the next line to the value.

use std::ops::Range;
use std::path::{Component, Path};

/// A magic variable that cannot be written into another file with the same meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmovable {
    /// Bytes of the variable in the value (`%` included).
    pub range: Range<usize>,
    /// What it means and why it cannot be moved.
    pub reason: &'static str,
}

/// The place-dependent magic variables of one config file.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    path: String,
    dir: String,
    name: String,
    extension: String,
    stem: String,
    components: Vec<String>,
}

impl ConfigFile {
    /// The variables of the file at `path`, an absolute path with symbolic links resolved.
    pub fn new(path: &Path) -> Self {
        let dir = path.parent().unwrap_or(Path::new("/"));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (stem, extension) = match name.rsplit_once('.') {
            Some((stem, extension)) => (stem.to_string(), extension.to_string()),
            None => (name.clone(), String::new()),
        };
        let components: Vec<String> = dir
            .components()
            .filter_map(|c| match c {
                Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let mut dir_text = dir.display().to_string();
        if !dir_text.ends_with('/') {
            dir_text.push('/');
        }
        Self { path: path.display().to_string(), dir: dir_text, name, extension, stem, components }
    }

    /// The value of a place-dependent variable, `None` for the others.
    fn value(&self, var: char) -> Option<String> {
        let value = match var {
            'p' | 'P' => self.path.clone(),
            'd' | 'D' => self.dir.clone(),
            's' | 'S' => self.name.clone(),
            'e' | 'E' => self.extension.clone(),
            'n' | 'N' => self.stem.clone(),
            'c' | 'C' => self.components.last().cloned().unwrap_or_default(),
            '0'..='9' => {
                let index = var as usize - '0' as usize;
                self.components.get(index).cloned().unwrap_or_default()
            }
            _ => return None,
        };
        Some(value)
    }
}

/// `value` with the place-dependent variables of `file` written out (a `%` in what they stand
/// for doubled, so that uWSGI reads it back as one).
///
/// # Errors
/// The first variable that cannot be written out, or a `%` ending the value.
pub fn substitute(value: &str, file: &ConfigFile) -> Result<String, Unmovable> {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.char_indices();
    while let Some((at, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some((next_at, var)) = chars.next() else {
            return Err(Unmovable {
                range: at..at + 1,
                reason: "uWSGI reads a `%` at the end of a line as joining the next line to it; \
                         write `%%` for a percent sign",
            });
        };
        let range = at..next_at + var.len_utf8();
        if let Some(text) = file.value(var) {
            out.push_str(&text.replace('%', "%%"));
            continue;
        }
        let reason = match var {
            'o' | 'O' => "the config file's path as typed on uWSGI's command line",
            'v' => "the directory uWSGI was started in",
            'i' | 'I' => "the config file's inode number",
            'j' | 'J' => "a hash of the config file's path",
            _ => {
                out.push_str(&value[range]);
                continue;
            }
        };
        return Err(Unmovable { range, reason });
    }
    Ok(out)
}

/// `value` as uWSGI reads it from `file`: each place-dependent variable replaced with what it
/// stands for, `%%` with `%`, and `%o` with the path (taken to be typed as it is). Variables of
/// the running machine (`%h`, `%t`, ...) and placeholders (`%(name)`) are kept as written.
pub fn expand(value: &str, file: &ConfigFile) -> String {
    if !value.contains('%') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let Some(&var) = chars.peek().filter(|_| c == '%') else {
            out.push(c);
            continue;
        };
        let text = match var {
            '%' => Some("%".to_string()),
            'o' | 'O' => Some(file.path.clone()),
            _ => file.value(var),
        };
        match text {
            Some(text) => {
                out.push_str(&text);
                chars.next();
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> ConfigFile {
        ConfigFile::new(Path::new("/tmp/bg-exp/cfg.dir/sub/galaxy.test.yml"))
    }

    #[test]
    fn place_variables_take_the_values_uwsgi_gives_them() {
        // Seen with uWSGI 2.0.21 (Debian) and 2.0.31 (PyPI) reading that file.
        let cases = [
            ("%d", "/tmp/bg-exp/cfg.dir/sub/"),
            ("%D", "/tmp/bg-exp/cfg.dir/sub/"),
            ("%p", "/tmp/bg-exp/cfg.dir/sub/galaxy.test.yml"),
            ("%s", "galaxy.test.yml"),
            ("%e", "yml"),
            ("%n", "galaxy.test"),
            ("%c", "sub"),
            ("%0", "tmp"),
            ("%1", "bg-exp"),
            ("%3", "sub"),
            ("%4", ""),
            ("%9", ""),
        ];
        for (written, meant) in cases {
            assert_eq!(substitute(written, &file()).unwrap(), meant, "{written}");
        }
        assert_eq!(
            substitute("/x/%d../server", &file()).unwrap(),
            "/x//tmp/bg-exp/cfg.dir/sub/../server"
        );
    }

    #[test]
    fn other_pairs_are_kept_as_written() {
        for value in ["a%%b", "%(home)/lib", "%h-%k", "%x", "a%qb", "100%%"] {
            assert_eq!(substitute(value, &file()).unwrap(), value);
        }
        assert_eq!(substitute("%%d", &file()).unwrap(), "%%d");
    }

    #[test]
    fn unknown_places_and_a_final_percent_are_refused() {
        for (value, at) in
            [("%o", 0..2), ("x/%v", 2..4), ("%i", 0..2), ("%J", 0..2), ("100%", 3..4)]
        {
            assert_eq!(substitute(value, &file()).unwrap_err().range, at, "{value}");
        }
    }

    #[test]
    fn a_percent_in_the_place_is_doubled() {
        let file = ConfigFile::new(Path::new("/srv/100%/galaxy.yml"));
        assert_eq!(substitute("%d", &file).unwrap(), "/srv/100%%/");
    }
}
