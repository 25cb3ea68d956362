//! What several rules need to know about the dance's files: zergling A's handler names, the
//! pool's socket, the `galaxy:` section of a file, the `writefifo` hooks of a zergling, and how
//! the restarter's job conf makes Galaxy 21.09 assign the jobs zergling B creates.
//!
//! The handler-name logic here is also what `build` uses, so lint and build never disagree on
//! the names of A's mules.

use std::path::{Path, PathBuf};

use crate::jobconf::{HandlerName, Handlers};
use crate::lint::{FileSet, LintFile, Role};
use crate::source::Span;
use crate::uwsgi::{self, UwsgiOption};
use crate::yaml::{Entry, Scalar};

/// Galaxy's `server_name` when the `galaxy:` section sets none.
pub const DEFAULT_SERVER_NAME: &str = "main";

/// One job-handler mule of zergling A, with the `farm` line that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MuleHandler {
    /// Its handler name and tag.
    pub name: HandlerName,
    /// Index of the `farm` option among the options given.
    pub farm: usize,
}

/// The handler names Galaxy gives the mules of `options`: the mule at position N of a farm F
/// named `job-handlers` or `job-handlers.<tag>` is `<server_name>.<F>.<N>`, with the farm's tag.
/// Malformed farms and farms Galaxy does not use for jobs give no names.
pub fn mule_handlers(options: &[UwsgiOption], server_name: &str) -> Vec<MuleHandler> {
    let mut names = Vec::new();
    for (index, option) in options.iter().enumerate().filter(|(_, o)| o.key == "farm") {
        let Ok(farm) = uwsgi::parse_farm(&option.value) else {
            continue;
        };
        let Some(tag) = uwsgi::farm_tag(&farm.name) else {
            continue;
        };

        for position in 1..=farm.mules.len() {
            names.push(MuleHandler {
                name: HandlerName {
                    id: format!("{server_name}.{}.{position}", farm.name),
                    tag: tag.map(str::to_string),
                },
                farm: index,
            });
        }
    }
    names
}

/// The `galaxy:` entry of a YAML file (the last one, as `PyYAML` reads repeats).
pub fn galaxy_section(file: &LintFile) -> Option<&Entry> {
    let documents = file.yaml.as_ref()?.as_ref().ok()?;
    documents.first()?.root.get_last("galaxy")
}

/// A scalar setting of a file's `galaxy:` section (the last one, as `PyYAML` reads repeats).
pub fn galaxy_value<'a>(file: &'a LintFile, key: &str) -> Option<&'a Scalar> {
    galaxy_section(file)?.value.get_last(key)?.value.as_scalar()
}

/// The bytes of a file's `uwsgi` key, or the start of the file when it has none: where a
/// finding about a missing option points.
pub fn uwsgi_key_span(file: &LintFile) -> Span {
    let key = file
        .yaml
        .as_ref()
        .and_then(|y| y.as_ref().ok())
        .and_then(|documents| documents.first())
        .and_then(|d| d.root.get_last("uwsgi"))
        .map(|entry| entry.key.span.clone());
    key.unwrap_or(0..0)
}

/// Zergling A's Galaxy `server_name`: galaxy.yml's (the file A loads), else the restarter's
/// copy of the same section, else `main`.
pub fn server_name(set: &FileSet) -> String {
    [Role::GalaxyConfig, Role::Restarter]
        .into_iter()
        .filter_map(|role| set.by_role(role))
        .find_map(|(_, file)| galaxy_value(file, "server_name"))
        .map(|s| s.value.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| DEFAULT_SERVER_NAME.to_string())
}

/// Zergling A (its index in the set and file) with its options and its mules' handler names,
/// when the set holds a readable zergling A.
pub fn zergling_handlers(set: &FileSet) -> Option<(usize, &LintFile, Vec<MuleHandler>)> {
    let (index, file) = set.by_role(Role::Zergling)?;
    let options = file.options()?;
    Some((index, file, mule_handlers(options, &server_name(set))))
}

/// The bytes of a whole option line as written: key through value.
pub fn option_span(option: &UwsgiOption) -> Span {
    option.key_span.start..option.value_span.end.max(option.key_span.end)
}

/// The pool's unix socket and public addresses, read from its `zergpool` line.
#[derive(Debug, Clone)]
pub struct PoolSocket {
    /// Index of the pool file in the set.
    pub file: usize,
    /// The unix socket (`/srv/galaxy/var/zergpool.sock` or `@name`).
    pub socket: String,
    /// Bytes of the socket part of the value.
    pub socket_span: Span,
    /// The public addresses after the first `:`, each with its bytes.
    pub addresses: Vec<(String, Span)>,
}

/// The pool's socket: the first `zergpool` (or `zerg-pool`) line of the pool file that has a
/// `:`, split there as uWSGI splits it.
pub fn pool_socket(set: &FileSet) -> Option<PoolSocket> {
    let (index, file) = set.by_role(Role::Pool)?;
    let option = file
        .options()?
        .iter()
        .filter(|o| o.key == "zergpool" || o.key == "zerg-pool")
        .find(|o| o.value.contains(':'))?;
    let (socket, rest) = option.value.split_once(':')?;

    let mut addresses = Vec::new();
    let mut offset = socket.len() + 1;
    for part in rest.split(',') {
        let lead = part.len() - part.trim_start().len();
        let address = part.trim();
        if !address.is_empty() {
            let span = option
                .value_sub_span(&file.source.text, offset + lead..offset + lead + address.len());
            addresses.push((address.to_string(), span));
        }
        offset += part.len() + 1;
    }

    Some(PoolSocket {
        file: index,
        socket: socket.trim().to_string(),
        socket_span: option.value_sub_span(&file.source.text, 0..socket.len()),
        addresses,
    })
}

/// A `hook-*: writefifo:<fifo> <command>` line.
#[derive(Debug, Clone)]
pub struct WriteFifo<'a> {
    /// The option.
    pub option: &'a UwsgiOption,
    /// Its position among the file's options.
    pub index: usize,
    /// The FIFO written to.
    pub fifo: String,
    /// Bytes of the FIFO path.
    pub fifo_span: Span,
    /// What is written (empty when the value has no space).
    pub command: String,
    /// Bytes of the command (the end of the value when there is none).
    pub command_span: Span,
}

/// Every `writefifo` hook of a file, in order.
pub fn write_fifo_hooks(file: &LintFile) -> Vec<WriteFifo<'_>> {
    let mut hooks = Vec::new();
    for (index, option) in file.options().unwrap_or(&[]).iter().enumerate() {
        if !option.key.starts_with("hook-") {
            continue;
        }
        let Some(args) = option.value.strip_prefix("writefifo:") else {
            continue;
        };

        let base = "writefifo:".len();
        let (fifo, command, command_at) = match args.split_once(' ') {
            Some((fifo, command)) => (fifo, command, base + fifo.len() + 1),
            None => (args, "", option.value.len()),
        };
        hooks.push(WriteFifo {
            option,
            index,
            fifo: fifo.to_string(),
            fifo_span: option.value_sub_span(&file.source.text, base..base + fifo.len()),
            command: command.trim().to_string(),
            command_span: option
                .value_sub_span(&file.source.text, command_at..command_at + command.len()),
        });
    }
    hooks
}

/// Every `master-fifo` line of a file.
pub fn master_fifos(file: &LintFile) -> Vec<&UwsgiOption> {
    file.options_named("master-fifo").collect()
}

/// How Galaxy 21.09 assigns the jobs zergling B creates, read from the restarter's
/// `<handlers>`. B runs no mule and no farm, so the uWSGI stack changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    /// `db-preassign` comes first in `assign_with`: B writes one handler id of the job's pool.
    Preassign {
        /// Bytes of `db-preassign`.
        span: Span,
    },
    /// `db-skip-locked` or `db-transaction-isolation` comes first, or `assign_with` is absent
    /// while handlers are defined (Galaxy 21.09's default: it picks one of these two): B
    /// writes the job's pool name (a tag, or a handler id) and a handler grabs it by tag.
    Tag {
        /// Bytes of the method, or of the `<handlers>` start tag when it is implicit.
        span: Span,
        /// Whether `assign_with` names it.
        explicit: bool,
    },
    /// B handles jobs itself: `db-self` or `mem-self`, or no handler and no method.
    SelfHandler {
        /// Bytes of the method, or of the `<handlers>` start tag.
        span: Span,
    },
    /// Something else (`uwsgi-mule-message`, which B without farms skips, or an unknown name).
    Other,
}

/// Assignment methods that grab jobs by tag.
pub const TAG_METHODS: &[&str] = &["db-skip-locked", "db-transaction-isolation"];

/// How B assigns jobs with this `<handlers>`.
pub fn assignment(handlers: &Handlers) -> Assignment {
    let methods = handlers.assign_with.as_ref().map_or(&[][..], |a| &a.items[..]);
    if methods.iter().any(|m| matches!(m.value.to_lowercase().as_str(), "db-self" | "mem-self")) {
        let method = methods
            .iter()
            .find(|m| matches!(m.value.to_lowercase().as_str(), "db-self" | "mem-self"));
        return Assignment::SelfHandler {
            span: method.map_or(handlers.start_tag.clone(), |m| m.span.clone()),
        };
    }

    let Some(first) = methods.first() else {
        return if handlers.handlers.is_empty() {
            Assignment::SelfHandler { span: handlers.start_tag.clone() }
        } else {
            Assignment::Tag { span: handlers.start_tag.clone(), explicit: false }
        };
    };
    let first_name = first.value.to_lowercase();
    if first_name == "db-preassign" {
        Assignment::Preassign { span: first.span.clone() }
    } else if TAG_METHODS.contains(&first_name.as_str()) {
        Assignment::Tag { span: first.span.clone(), explicit: true }
    } else {
        Assignment::Other
    }
}

/// A path as Galaxy resolves a `*_file` setting: relative to the configuration directory,
/// with `.` and `..` folded.
pub fn resolve_path(base: &Path, value: &str) -> PathBuf {
    crate::paths::resolve(base, value)
}

/// The directory a file's relative `*_file` settings resolve against, as Galaxy takes it: the
/// directory holding the file, as zerg.toml places it when the run has one (galaxy.yml at
/// `layout.galaxy_config`, anything else in `layout.config`), else as found.
pub fn config_dir(set: &FileSet, file: &LintFile) -> PathBuf {
    match &set.config {
        Some(config) if file.role == Role::GalaxyConfig => config
            .galaxy_config
            .parent()
            .map_or_else(|| config.config_dir.clone(), Path::to_path_buf),
        Some(config) => config.config_dir.clone(),
        None => file.source.path.parent().map(Path::to_path_buf).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn file(role: Role, text: &str) -> LintFile {
        LintFile::new(role, false, Source::new("f.yml", text))
    }

    #[test]
    fn mule_names_follow_farm_positions_and_tags() {
        let a = file(
            Role::Zergling,
            "uwsgi:\n  mule: a.py\n  mule: a.py\n  mule: a.py\n  farm: job-handlers:1,2\n  \
             farm: job-handlers.special:3\n  farm: other:1\n  farm: broken\n",
        );
        let names = mule_handlers(a.options().unwrap(), "gx");
        let ids: Vec<_> = names.iter().map(|n| n.name.id.as_str()).collect();
        assert_eq!(ids, ["gx.job-handlers.1", "gx.job-handlers.2", "gx.job-handlers.special.1"]);
        assert_eq!(names[2].name.tag.as_deref(), Some("special"));
        assert_eq!(names[2].farm, 4);
    }

    #[test]
    fn server_name_prefers_galaxy_yml() {
        let mut set = FileSet::default();
        assert_eq!(server_name(&set), "main");
        set.files.push(file(Role::Restarter, "galaxy:\n  server_name: b\n"));
        assert_eq!(server_name(&set), "b");
        set.files.push(file(Role::GalaxyConfig, "galaxy:\n  server_name: a\n"));
        assert_eq!(server_name(&set), "a");
    }

    #[test]
    fn pool_socket_and_addresses() {
        let text = "uwsgi:\n  zergpool: /run/z.sock:127.0.0.1:8080, [::1]:8080\n";
        let set = FileSet { files: vec![file(Role::Pool, text)], config: None };
        let pool = pool_socket(&set).unwrap();
        assert_eq!(pool.socket, "/run/z.sock");
        assert_eq!(&text[pool.socket_span], "/run/z.sock");
        let addresses: Vec<_> =
            pool.addresses.iter().map(|(a, s)| (a.as_str(), &text[s.clone()])).collect();
        assert_eq!(addresses, [("127.0.0.1:8080", "127.0.0.1:8080"), ("[::1]:8080", "[::1]:8080")]);
    }

    #[test]
    fn write_fifo_hooks_split_file_and_command() {
        let text = "uwsgi:\n  hook-accepting1-once: writefifo:/run/b.fifo q\n  hook-asap: \
                    writefifo:/run/c.fifo\n  hook-asap: exec:true\n";
        let f = file(Role::Zergling, text);
        let hooks = write_fifo_hooks(&f);
        assert_eq!(hooks.len(), 2);
        assert_eq!(&text[hooks[0].fifo_span.clone()], "/run/b.fifo");
        assert_eq!(&text[hooks[0].command_span.clone()], "q");
        assert_eq!(hooks[1].command, "");
        assert_eq!(&text[hooks[1].fifo_span.clone()], "/run/c.fifo");
    }

    #[test]
    fn paths_resolve_against_the_config_dir() {
        let base = Path::new("/srv/galaxy/config");
        assert_eq!(
            resolve_path(base, "job_conf.xml"),
            Path::new("/srv/galaxy/config/job_conf.xml")
        );
        assert_eq!(resolve_path(base, "./a/../job_conf.xml"), base.join("job_conf.xml"));
        assert_eq!(resolve_path(base, "/etc/j.xml"), Path::new("/etc/j.xml"));
    }

    fn handlers(text: &str) -> Handlers {
        let source = Source::new("job_conf.xml", text);
        crate::jobconf::read(&source).unwrap().handlers.unwrap()
    }

    #[test]
    fn assignment_follows_galaxy_21_09() {
        let wrap = |h: &str| format!("<job_conf><plugins/>{h}<destinations/></job_conf>");
        let h =
            handlers(&wrap("<handlers assign_with='db-preassign'><handler id='a'/></handlers>"));
        assert!(matches!(assignment(&h), Assignment::Preassign { .. }));
        let h = handlers(&wrap("<handlers><handler id='a'/></handlers>"));
        assert!(matches!(assignment(&h), Assignment::Tag { explicit: false, .. }));
        let h =
            handlers(&wrap("<handlers assign_with='db-skip-locked'><handler id='a'/></handlers>"));
        assert!(matches!(assignment(&h), Assignment::Tag { explicit: true, .. }));
        let h = handlers(&wrap("<handlers/>"));
        assert!(matches!(assignment(&h), Assignment::SelfHandler { .. }));
        let h = handlers(&wrap("<handlers assign_with='db-preassign,db-self'/>"));
        assert!(matches!(assignment(&h), Assignment::SelfHandler { .. }));
    }
}
