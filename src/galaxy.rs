//! The installed `galaxy.yml`: its `uwsgi:` section (what the zerglings are rendered from) and its
//! `galaxy:` section (copied into the restarter with its own job configuration).

use std::path::Path;

use crate::error::{Error, Result};
use crate::source::{Source, Span};
use crate::uwsgi::{self, UwsgiOption};
use crate::yaml::{self, Entry, Node};

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
    /// Reads galaxy.yml from `path` (the place on disk, possibly under `--root`).
    ///
    /// # Errors
    /// Unreadable, not YAML, or no usable `uwsgi:` section; each with its position.
    pub fn read(path: &Path) -> Result<Self> {
        let source = Source::read(path).map_err(|e| {
            Error::io(CODE, path, "read", &e).with_help(
                "zergcfg renders both zerglings from the installed galaxy.yml; install it first \
                 or point `layout.galaxy_config` in zerg.toml at it",
            )
        })?;
        Self::parse(source.with_kind(crate::secrets::Kind::Yaml))
    }

    /// Parses galaxy.yml text already read.
    ///
    /// # Errors
    /// Not YAML, or no usable `uwsgi:` section; each with its position.
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

        let Some(uwsgi_entry) = root.get_last("uwsgi") else {
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

        let galaxy = root.get_last("galaxy").map(|entry| GalaxySection {
            text: section_text(&source.text, &root, entry),
            entry: entry.clone(),
        });

        Ok(Self { uwsgi_key: uwsgi_entry.key.span.clone(), uwsgi, galaxy, source })
    }

    /// Galaxy's `server_name`, which prefixes every handler name (default `main`).
    pub fn server_name(&self) -> String {
        self.galaxy_value("server_name").unwrap_or_else(|| "main".to_string())
    }

    /// A scalar value of the `galaxy:` section (the last one, as `PyYAML` reads repeats).
    pub fn galaxy_value(&self, key: &str) -> Option<String> {
        let section = self.galaxy.as_ref()?;
        let entry = section.entry.value.get_last(key)?;
        entry.value.as_scalar().map(|s| s.value.clone()).filter(|v| !v.is_empty())
    }
}

/// The text of a top-level section: from the start of its key's line to the start of the next
/// top-level key's line (or the end of the file), trailing blank lines left out.
fn section_text(text: &str, root: &Node, entry: &Entry) -> Span {
    let start = line_start(text, entry.key.span.start);
    let next = root
        .entries()
        .unwrap_or(&[])
        .iter()
        .map(|e| e.key.span.start)
        .filter(|&s| s > entry.key.span.start)
        .min()
        .map_or(text.len(), |s| line_start(text, s));

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

/// The byte offset where the line holding `offset` starts.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}
