//! The installed `galaxy.yml`: its `uwsgi:` section (what the zerglings are rendered from) and its
//! `galaxy:` section (copied into the restarter with its own job configuration).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::source::{Source, Span};
use crate::uwsgi::{self, UwsgiOption};
use crate::yaml::resolve::{Anchors, Resolver};
use crate::yaml::{self, Entry, Node, Scalar, ScalarStyle, YamlError, safe_load};

const CODE: &str = "zergcfg::galaxy";

/// A parsed galaxy.yml.
#[derive(Debug, Clone)]
pub struct GalaxyYml {
    /// The file.
    pub source: Source,
    /// The `uwsgi:` section's options, in order.
    pub uwsgi: Vec<UwsgiOption>,
    /// Bytes of the `uwsgi` key.
    pub uwsgi_key: Span,
    /// The `galaxy:` section, if the file has one.
    pub galaxy: Option<GalaxySection>,
    /// The whole document, for following aliases and merge keys as `PyYAML` does.
    pub root: Node,
}

/// The `galaxy:` section with the place of its text in the file.
#[derive(Debug, Clone)]
pub struct GalaxySection {
    /// The `galaxy:` entry (key and mapping).
    pub entry: Entry,
    /// Bytes from the start of the `galaxy:` line to the end of the section's last line,
    /// newline included.
    pub text: Span,
}

impl GalaxyYml {
    /// Parses galaxy.yml text already read.
    ///
    /// # Errors
    /// Not YAML, YAML that Galaxy's `PyYAML` refuses, or no usable `uwsgi:` section; each with
    /// its position.
    pub fn parse(source: Source) -> Result<Self> {
        let documents = yaml::parse(&source.text).map_err(|e| {
            Error::at(
                CODE,
                &source,
                e.span.clone(),
                format!("galaxy.yml is not valid YAML: {e}"),
                "here",
            )
            .with_help("Galaxy reads this file with PyYAML: fix the YAML syntax at this point")
        })?;
        refuse_what_pyyaml_refuses(&source, &documents)?;
        let root = documents.into_iter().next().map(|d| d.root);

        let Some(root @ Node::Mapping { .. }) = root else {
            return Err(Error::at(
                CODE,
                &source,
                0..0,
                "galaxy.yml is not a mapping of sections",
                "here",
            )
            .with_help("galaxy.yml needs a top-level `uwsgi:` section and a `galaxy:` section"));
        };
        let anchors = Anchors::of(&root).map_err(|e| not_followed(&source, &e))?;
        let mut resolver = Resolver::new(&anchors);

        let Some(uwsgi_entry) = top_level(&source, &root, &mut resolver, "uwsgi")? else {
            return Err(Error::at(
                CODE,
                &source,
                0..0,
                "galaxy.yml has no `uwsgi:` section",
                "here",
            )
            .with_help(
                "add the `uwsgi:` section Galaxy runs with (socket, processes, mule and farm \
                     lines); zergcfg renders both zerglings from it",
            ));
        };
        let uwsgi = uwsgi::options(&uwsgi_entry.value)
            .map_err(|e| Error::at(CODE, &source, e.span, e.message, "here").with_help(e.help))?;

        let galaxy = top_level(&source, &root, &mut resolver, "galaxy")?;
        if let Some(entry) = galaxy {
            resolver.value(&entry.value).map_err(|e| not_followed(&source, &e))?;
            if let Some((key, _)) =
                resolver.get(&entry.value, "job_config").map_err(|e| not_followed(&source, &e))?
            {
                return Err(Error::at(
                    CODE,
                    &source,
                    key.span.clone(),
                    "galaxy.yml's galaxy section holds an inline job configuration",
                    "Galaxy prefers this to job_config_file",
                )
                .with_help(
                    "zergcfg builds the restarter's job conf from job_conf.xml and Galaxy would \
                     ignore it; move the job configuration into job_conf.xml and point \
                     `job_config_file` at it",
                ));
            }
        }
        let galaxy = galaxy.map(|entry| GalaxySection {
            text: section_text(&source.text, &root, entry),
            entry: entry.clone(),
        });
        let uwsgi_key = uwsgi_entry.key.span.clone();

        Ok(Self { source, uwsgi, uwsgi_key, galaxy, root })
    }

    /// Galaxy's `server_name`, which prefixes every handler name (default `main`).
    pub fn server_name(&self) -> String {
        self.setting("server_name").map_or_else(|| "main".to_string(), |s| s.value.clone())
    }

    /// A scalar setting of the `galaxy:` section as `PyYAML` loads it (see [`setting`]).
    pub fn setting(&self, key: &str) -> Option<&Scalar> {
        setting(&self.root, &self.galaxy.as_ref()?.entry.value, key)
    }
}

/// A setting of a `galaxy:` section (`section`, a node of the document whose root is `root`)
/// as Galaxy gets it from `PyYAML`: the last assignment, merge keys (`<<: *defaults`) and
/// aliases followed, so that the scalar returned may be written in another section of the
/// file. `None` when the key is not set, its value is not a scalar or is empty or null (`~`),
/// or the document has anchors `PyYAML` refuses (reported where the file is read).
pub fn setting<'d>(root: &'d Node, section: &'d Node, key: &str) -> Option<&'d Scalar> {
    let (_, value) = setting_entry(root, section, key)?;
    let scalar = value.as_scalar()?;
    let null = scalar.tag.is_none()
        && scalar.style == ScalarStyle::Plain
        && safe_load::implicit_tag(&scalar.value) == "null";
    (!null && !scalar.value.is_empty()).then_some(scalar)
}

/// The key and value (alias followed) `PyYAML` gives `key` in a `galaxy:` section, whatever the
/// value, as [`setting`] finds it.
pub fn setting_entry<'d>(
    root: &'d Node,
    section: &'d Node,
    key: &str,
) -> Option<(&'d Scalar, &'d Node)> {
    let anchors = Anchors::of(root).ok()?;
    Resolver::new(&anchors).get(section, key).ok()?
}

/// The top-level entry `name` as `PyYAML` reads it (the last one), which must be written at the
/// top level of the file, not brought in by a merge key.
fn top_level<'r>(
    source: &Source,
    root: &'r Node,
    resolver: &mut Resolver<'_, 'r>,
    name: &str,
) -> Result<Option<&'r Entry>> {
    let found = resolver.get(root, name).map_err(|e| not_followed(source, &e))?;
    let Some((key, _)) = found else {
        return Ok(None);
    };
    match root.entries().unwrap_or(&[]).iter().find(|e| e.key.span == key.span) {
        Some(entry) => Ok(Some(entry)),
        None => Err(Error::at(
            CODE,
            source,
            key.span.clone(),
            format!("galaxy.yml's `{name}` section comes from a merge key"),
            "merged into the top level",
        )
        .with_help(format!("write the `{name}:` section at the top level of galaxy.yml"))),
    }
}

/// Refuses a galaxy.yml that Galaxy's `yaml.safe_load` would refuse, at the first place.
fn refuse_what_pyyaml_refuses(source: &Source, documents: &[yaml::Document]) -> Result<()> {
    let refusals = safe_load::refusals(&source.text, documents);
    let Some(first) = refusals.first() else {
        return Ok(());
    };
    let more = match refusals.len() - 1 {
        0 => String::new(),
        n => format!(" ({n} more in this file; `zergcfg lint` shows each)"),
    };
    let help =
        format!("Galaxy reads galaxy.yml with PyYAML's safe_load: {}{more}", first.kind.help());
    Err(Error::at(
        CODE,
        source,
        first.span.clone(),
        format!("Galaxy cannot load galaxy.yml: {}", first.message),
        first.kind.label(),
    )
    .with_help(help))
}

/// Aliases or merge keys that `PyYAML` reads but zergcfg cannot follow (an alias inside its own
/// anchor, a mapping merged into itself).
fn not_followed(source: &Source, e: &YamlError) -> Error {
    Error::at(
        CODE,
        source,
        e.span.clone(),
        format!("zergcfg cannot follow galaxy.yml's aliases here: {e}"),
        "here",
    )
    .with_help(
        "zergcfg copies what an alias or a merge key stands for and cannot do it here: write the \
         values out at this point",
    )
}

/// `target` as uWSGI names the file there when it reads it (symbolic links resolved, as its
/// magic variables `%p` and `%d` show it); under `root`, resolved inside it. A file that does
/// not resolve keeps its target path.
pub fn real_target(root: Option<&Path>, target: &Path) -> PathBuf {
    let Ok(real) = std::fs::canonicalize(crate::plan::on_disk(root, target)) else {
        return target.to_path_buf();
    };
    let Some(root) = root else {
        return real;
    };
    std::fs::canonicalize(root)
        .ok()
        .and_then(|root| real.strip_prefix(root).ok().map(|inside| Path::new("/").join(inside)))
        .unwrap_or_else(|| target.to_path_buf())
}

/// The text of a top-level section: from the start of its key's line to the start of the next
/// top-level key's line (or the end of the file), trailing blank lines left out unless they
/// belong to a block scalar that keeps them (`|+`).
pub fn section_text(text: &str, root: &Node, entry: &Entry) -> Span {
    let start = line_start(text, entry.key.span.start);
    let next = root
        .entries()
        .unwrap_or(&[])
        .iter()
        .map(|e| e.key.span.start)
        .filter(|&s| s > entry.key.span.start)
        .min()
        .map_or(text.len(), |s| line_start(text, s));
    if keeps_trailing_lines(text, &entry.value) {
        return start..next;
    }

    let mut end = next;
    let body = &text[start..next];
    let trimmed = body.trim_end_matches(['\n', '\r', ' ', '\t']);
    if trimmed.len() < body.len() {
        end = start + trimmed.len();
        if text[end..].starts_with("\r\n") {
            end += 2;
        } else if text[end..].starts_with('\n') {
            end += 1;
        }
    }
    start..end
}

/// Whether the last scalar under `node` is a block scalar with the keep indicator `+`, whose
/// value holds the blank lines after it.
fn keeps_trailing_lines(text: &str, node: &Node) -> bool {
    let mut node = node;
    loop {
        node = match node {
            Node::Mapping { entries, .. } => match entries.last() {
                Some(entry) => &entry.value,
                None => return false,
            },
            Node::Sequence { items, .. } => match items.last() {
                Some(item) => item,
                None => return false,
            },
            Node::Scalar(s) if matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded) => {
                let header = text.get(s.span.start + 1..).unwrap_or_default();
                return header
                    .chars()
                    .take_while(|c| matches!(c, '1'..='9' | '+' | '-'))
                    .any(|c| c == '+');
            }
            Node::Scalar(_) | Node::Alias { .. } => return false,
        };
    }
}

/// The byte offset where the line holding `offset` starts.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn galaxy(section: &str) -> GalaxyYml {
        let text = format!(
            "base: &b\n  server_name: usegalaxy\n  brand: B\nuwsgi:\n  socket: :8080\n{section}"
        );
        GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap()
    }

    #[test]
    fn settings_follow_merge_keys_and_aliases_last_one_wins() {
        let merged = galaxy("galaxy:\n  <<: *b\n  brand: own\n  brand: last\n");
        assert_eq!(merged.server_name(), "usegalaxy");
        assert_eq!(merged.setting("brand").unwrap().value, "last");
        let aliased = galaxy("name: &n aliased\ngalaxy:\n  server_name: *n\n");
        assert_eq!(aliased.server_name(), "aliased");
        let overridden = galaxy("galaxy:\n  <<: *b\n  server_name: own\n");
        assert_eq!(overridden.server_name(), "own");
    }

    #[test]
    fn empty_null_and_non_scalar_settings_are_unset() {
        for value in ["", "~", "null", "''", "[a]", "{a: b}"] {
            let yml = galaxy(&format!("galaxy:\n  server_name: {value}\n"));
            assert_eq!(yml.server_name(), "main", "{value}");
        }
        assert_eq!(galaxy("galaxy:\n  server_name: 'null'\n").server_name(), "null");
    }
}
