//! What several rules need to know about the dance's files: zergling A's handler names, the
//! pool's sockets, the `galaxy:` section of a file, the FIFO hooks of a zergling, paths as an
//! instance resolves them, where a path on the target machine is among the linted files, and
//! how the restarter's job conf makes Galaxy 21.09 assign the jobs zergling B creates.
//!
//! Handler names come from the same code as `build`'s ([`crate::plan::handlers`]), so lint and
//! build never disagree on the names of A's mules.

use std::path::{Path, PathBuf};

use crate::jobconf::{HandlerName, Handlers};
use crate::lint::files::Indexed;
use crate::lint::{FileSet, LintFile, Role};
use crate::plan::handlers;
use crate::source::Span;
use crate::uwsgi::{self, UwsgiOption};
use crate::yaml::{Entry, Scalar};

/// Galaxy's `server_name` when the `galaxy:` section sets none.
pub const DEFAULT_SERVER_NAME: &str = "main";

/// One job-handler mule of zergling A, with the `farm` line that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MuleHandler {
    /// Its handler name and the pools it serves.
    pub name: HandlerName,
    /// Index of the `farm` option among the options given.
    pub farm: usize,
}

/// The handler names Galaxy gives the mules of `options`, as `build` derives them
/// ([`crate::plan::handlers`]): each mule of the one `farm` line when it is `job-handlers`, in
/// the pools zergling A's `<handlers>` (`a_handlers`) gives it. `None` when Galaxy would misread
/// the farms, which ZC309 and ZC310 report: several `farm` lines (Galaxy sees the last only) or
/// a tag farm alone (Galaxy does not start); no restarter can be compared with such a layout.
/// No names for a malformed farm (ZC305) or another farm.
pub fn mule_handlers(
    options: &[UwsgiOption],
    server_name: &str,
    a_handlers: Option<&Handlers>,
) -> Option<Vec<MuleHandler>> {
    let mut farms = options.iter().enumerate().filter(|(_, o)| o.key == "farm");
    let Some((index, option)) = farms.next() else {
        return Some(Vec::new());
    };
    if farms.next().is_some() {
        return None;
    }
    let Ok(farm) = uwsgi::parse_farm(&option.value) else {
        return Some(Vec::new());
    };
    if handlers::is_tag_farm(&farm.name) {
        return None;
    }

    let names = handlers::farm_names(&farm, server_name).into_iter().map(|id| MuleHandler {
        name: HandlerName { tags: handlers::mule_pools(&id, a_handlers), id },
        farm: index,
    });
    Some(names.collect())
}

/// The `galaxy:` entry of a YAML file (the last one, as `PyYAML` reads repeats).
pub fn galaxy_section(file: &LintFile) -> Option<&Entry> {
    let documents = file.yaml.as_ref()?.as_ref().ok()?;
    documents.first()?.root.get_last("galaxy")
}

/// A scalar setting of a file's `galaxy:` section as Galaxy reads it ([`crate::galaxy::setting`]:
/// the last one, merge keys and aliases followed).
pub fn galaxy_value<'a>(file: &'a LintFile, key: &str) -> Option<&'a Scalar> {
    let document = file.yaml.as_ref()?.as_ref().ok()?.first()?;
    crate::galaxy::setting(&document.root, &galaxy_section(file)?.value, key)
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
        .map_or_else(|| DEFAULT_SERVER_NAME.to_string(), |s| s.value.clone())
}

/// Zergling A (its index in the set and file) with its options and its mules' handler names,
/// in the pools zergling A's job conf gives them, when the set holds a readable zergling A
/// whose farms Galaxy reads as written ([`mule_handlers`]).
pub fn zergling_handlers(set: &FileSet) -> Option<(usize, &LintFile, Vec<MuleHandler>)> {
    let (index, file) = set.by_role(Role::Zergling)?;
    let options = file.options()?;
    let a_conf = set.by_role(Role::JobConf).and_then(|(_, f)| f.job_conf());
    let handlers = a_conf.and_then(|c| c.handlers.as_ref());
    Some((index, file, mule_handlers(options, &server_name(set), handlers)?))
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

/// The pool's first socket: its first `zergpool` (or `zerg-pool`) line that has a `:`, split
/// there as uWSGI splits it.
pub fn pool_socket(set: &FileSet) -> Option<PoolSocket> {
    pool_sockets(set).into_iter().next()
}

/// Every socket of the pool, one per `zergpool` (or `zerg-pool`) line with a `:`, in order: a
/// zergling may attach to any of them.
pub fn pool_sockets(set: &FileSet) -> Vec<PoolSocket> {
    let Some((index, file)) = set.by_role(Role::Pool) else {
        return Vec::new();
    };
    file.options()
        .unwrap_or(&[])
        .iter()
        .filter(|o| o.key == "zergpool" || o.key == "zerg-pool")
        .filter_map(|option| pool_line(index, file, option))
        .collect()
}

/// One `zergpool` line split at its first `:`.
fn pool_line(index: usize, file: &LintFile, option: &UwsgiOption) -> Option<PoolSocket> {
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

/// A `hook-*: writefifo:<fifo> <command>` (or `spinningfifo:`) line.
#[derive(Debug, Clone)]
pub struct WriteFifo<'a> {
    /// The option.
    pub option: &'a UwsgiOption,
    /// `writefifo` or `spinningfifo`.
    pub action: &'static str,
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

/// Every `writefifo` and `spinningfifo` hook of a file, in order, as
/// [`crate::uwsgi::hooks::fifo_hook`] reads them.
pub fn write_fifo_hooks(file: &LintFile) -> Vec<WriteFifo<'_>> {
    let text = &file.source.text;
    file.options()
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(index, option)| {
            let hook = crate::uwsgi::hooks::fifo_hook(option)?;
            Some(WriteFifo {
                option,
                action: hook.action,
                index,
                fifo: option.value[hook.fifo.clone()].to_string(),
                fifo_span: option.value_sub_span(text, hook.fifo),
                command: option.value[hook.command.clone()].trim().to_string(),
                command_span: option.value_sub_span(text, hook.command),
            })
        })
        .collect()
}

/// Every `master-fifo` line of a file.
pub fn master_fifos(file: &LintFile) -> Vec<&UwsgiOption> {
    file.options_named("master-fifo").collect()
}

/// Zergling A and the restarter (each with its index), when the set holds both and both have
/// a readable uwsgi section.
pub fn zergling_and_restarter(set: &FileSet) -> Option<(Indexed<'_>, Indexed<'_>)> {
    let (a, b) = set.zergling_and_restarter()?;
    (a.1.options().is_some() && b.1.options().is_some()).then_some((a, b))
}

/// The restarter's options among `b_options` that name what one of zergling A's `a_options`
/// names, each value taken as its own instance takes it (a path against its `chdir`), each
/// with that option of A: `(restarter's, A's)`.
pub fn shared_with_zergling<'o>(
    (a, a_options): (&LintFile, &[&'o UwsgiOption]),
    (b, b_options): (&LintFile, &[&'o UwsgiOption]),
) -> Vec<(&'o UwsgiOption, &'o UwsgiOption)> {
    let (a_base, b_base) = (path_base(a), path_base(b));
    b_options
        .iter()
        .filter_map(|b_option| {
            let b_value = resolved(&b_option.value, b_base.as_deref());
            let a_option =
                a_options.iter().find(|o| resolved(&o.value, a_base.as_deref()) == b_value)?;
            Some((*b_option, *a_option))
        })
        .collect()
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

/// The directory an instance resolves its relative paths against: its last `chdir`, else, for
/// a vassal, the directory the Emperor starts it in (its own); `None` for the restarter
/// without `chdir`, whose working directory is wherever it is started from.
pub fn path_base(file: &LintFile) -> Option<PathBuf> {
    let own_dir = file.source.path.parent().map(absolute);
    let vassal = matches!(file.role, Role::Pool | Role::Zergling);
    let start = vassal.then(|| own_dir.clone()).flatten();
    match file.options_named("chdir").last() {
        Some(chdir) => Some(uwsgi::normalize_path(chdir.value.trim(), start.as_deref())),
        None => start,
    }
}

/// An option value as the instance uses it, for comparing with another instance's: a path is
/// folded (`//`, `.`, `..`) and taken relative to `base`; an address or abstract socket is
/// only trimmed.
pub fn resolved(value: &str, base: Option<&Path>) -> String {
    let value = value.trim();
    if uwsgi::is_path_value(value) {
        uwsgi::normalize_path(value, base).display().to_string()
    } else {
        value.to_string()
    }
}

pub use crate::paths::absolute;

/// Where lint finds a file named by its path on the target machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// It is one of the linted files (this index).
    InSet(usize),
    /// It is not linted, but readable here.
    OnDisk(PathBuf),
}

/// Finds the file a configuration names by `target`, a path on the target machine. Linted
/// files come first, since lint may be looking at copies: the file at exactly that path, or one
/// whose path ends with it (a copy of the layout under another root), or one with the same
/// name in a directory of the same name (`config/galaxy.yml` for
/// `/srv/galaxy/config/galaxy.yml`). Then a file at that path on this machine, and last a
/// linted file of the same name wherever it is (the files were copied for linting).
pub fn find_file(set: &FileSet, target: &Path) -> Option<Found> {
    let target = absolute(target);
    let paths: Vec<PathBuf> = set.files.iter().map(|f| absolute(&f.source.path)).collect();
    if let Some(found) = find_in_place(&paths, &target) {
        return Some(found);
    }
    let same_name: Vec<usize> = (0..paths.len())
        .filter(|&i| target.file_name().is_some() && paths[i].file_name() == target.file_name())
        .collect();
    match same_name[..] {
        [index] => Some(Found::InSet(index)),
        _ => None,
    }
}

/// Whether a file is at `target`, a path on the target machine, as far as lint can tell: as
/// [`find_file`] finds it, without its last guess (a linted file of that name anywhere), so
/// that of two places Galaxy tries in turn the one holding the file is told apart.
pub fn exists_at(set: &FileSet, target: &Path) -> bool {
    let paths: Vec<PathBuf> = set.files.iter().map(|f| absolute(&f.source.path)).collect();
    find_in_place(&paths, &absolute(target)).is_some()
}

/// [`find_file`] among the linted files at `paths` (absolute) by place, then on this machine.
fn find_in_place(paths: &[PathBuf], target: &Path) -> Option<Found> {
    let relative = target.strip_prefix("/").unwrap_or(target);

    let exact = paths.iter().position(|p| *p == target);
    let under_root = || {
        (relative.components().count() > 1)
            .then(|| paths.iter().position(|p| p.ends_with(relative)))
            .flatten()
    };
    let same_place = || paths.iter().position(|p| same_name_and_dir(p, target));
    if let Some(index) = exact.or_else(under_root).or_else(same_place) {
        return Some(Found::InSet(index));
    }
    target.is_file().then(|| Found::OnDisk(target.to_path_buf()))
}

/// The text of a file that a configuration names and lint was not given, when it is UTF-8 and
/// no larger than a configuration file gets (1 MiB): a path in a file is no reason to read
/// anything else.
pub fn read_named(path: &Path) -> Option<String> {
    use std::io::Read as _;

    const LIMIT: u64 = 1 << 20;
    let mut text = String::new();
    let file = std::fs::File::open(path).ok()?;
    file.take(LIMIT + 1).read_to_string(&mut text).ok()?;
    (text.len() as u64 <= LIMIT).then_some(text)
}

/// Whether lint can tell that nothing exists at `target`: no file is found for it, and its
/// directory exists here, or linted files of the same kind (`like`) come from a directory of
/// that name, so that the file would have been among them.
pub fn known_missing(set: &FileSet, target: &Path, like: impl Fn(&LintFile) -> bool) -> bool {
    if find_file(set, target).is_some() {
        return false;
    }
    let target = absolute(target);
    let Some(dir) = target.parent() else {
        return false;
    };
    dir.is_dir()
        || set.files.iter().filter(|f| like(f)).any(|f| {
            let parent = absolute(&f.source.path);
            let parent = parent.parent().unwrap_or(Path::new("/"));
            parent == dir || (dir.file_name().is_some() && parent.file_name() == dir.file_name())
        })
}

/// Whether two paths name the same file: equal once folded, or found as the same file.
pub fn same_file(set: &FileSet, a: &Path, b: &Path) -> bool {
    if absolute(a) == absolute(b) {
        return true;
    }
    match (find_file(set, a), find_file(set, b)) {
        (Some(Found::InSet(x)), Some(Found::InSet(y))) => x == y,
        (Some(Found::OnDisk(x)), Some(Found::OnDisk(y))) => {
            x.canonicalize().ok().is_some_and(|x| y.canonicalize().ok() == Some(x))
        }
        _ => false,
    }
}

/// Whether `path` is `target`'s file name in a directory named like `target`'s.
fn same_name_and_dir(path: &Path, target: &Path) -> bool {
    let dir_name = |p: &Path| p.parent().and_then(Path::file_name).map(ToOwned::to_owned);
    path.file_name().is_some()
        && path.file_name() == target.file_name()
        && dir_name(path).is_some()
        && dir_name(path) == dir_name(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn file(role: Role, text: &str) -> LintFile {
        LintFile::new(role, false, Source::new("f.yml", text))
    }

    #[test]
    fn mule_names_follow_the_farm_and_the_job_conf_tags() {
        let a = file(
            Role::Zergling,
            "uwsgi:\n  mule: a.py\n  mule: a.py\n  processes: 2\n  farm: job-handlers:2,1\n",
        );
        let conf = crate::jobconf::read(&Source::new(
            "job_conf.xml",
            "<job_conf><plugins/><handlers><handler id=\"gx.job-handlers.2\" tags=\"special\"/>\
             </handlers><destinations/></job_conf>",
        ))
        .unwrap();
        let names = mule_handlers(a.options().unwrap(), "gx", conf.handlers.as_ref()).unwrap();
        let got: Vec<_> =
            names.iter().map(|n| (n.name.id.as_str(), n.name.tags.join(","), n.farm)).collect();
        assert_eq!(
            got,
            [
                ("gx.job-handlers.1", "_default_".into(), 3),
                ("gx.job-handlers.2", "special,_default_".into(), 3)
            ]
        );
    }

    #[test]
    fn farms_galaxy_misreads_give_no_names_to_compare() {
        let names = |text: &str| {
            let a = file(Role::Zergling, text);
            mule_handlers(a.options().unwrap(), "main", None)
                .map(|n| n.into_iter().map(|m| m.name.id).collect::<Vec<_>>())
        };
        let two = "uwsgi:\n  mule: a.py\n  mule: a.py\n  farm: job-handlers:1\n  \
                   farm: job-handlers.special:2\n";
        assert_eq!(names(two), None);
        assert_eq!(names("uwsgi:\n  mule: a.py\n  farm: job-handlers.special:1\n"), None);
        assert_eq!(names("uwsgi:\n  mule: a.py\n  farm: other:1\n"), Some(Vec::new()));
        assert_eq!(names("uwsgi:\n  mule: a.py\n  farm: broken\n"), Some(Vec::new()));
        assert_eq!(names("uwsgi:\n  mule: a.py\n"), Some(Vec::new()));
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
    fn server_name_follows_merge_keys_as_galaxy_does() {
        let text = "base: &b {server_name: usegalaxy}\ngalaxy:\n  <<: *b\n";
        let set = FileSet { files: vec![file(Role::GalaxyConfig, text)], config: None };
        assert_eq!(server_name(&set), "usegalaxy");
        let f = &set.files[0];
        assert_eq!(&text[galaxy_value(f, "server_name").unwrap().span.clone()], "usegalaxy");
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

        let f =
            file(Role::Zergling, "uwsgi:\n  hook-accepting1-once: spinningfifo:/run/a.fifo q\n");
        let hooks = write_fifo_hooks(&f);
        assert_eq!((hooks[0].action, hooks[0].fifo.as_str()), ("spinningfifo", "/run/a.fifo"));
    }

    #[test]
    fn pool_sockets_are_every_zergpool_line() {
        let text = "uwsgi:\n  zergpool: /run/a.sock:127.0.0.1:8080\n  zergpool: nothing\n  \
                    zerg-pool: /run/b.sock:127.0.0.1:8081\n";
        let set = FileSet { files: vec![file(Role::Pool, text)], config: None };
        let sockets: Vec<_> = pool_sockets(&set).into_iter().map(|p| p.socket).collect();
        assert_eq!(sockets, ["/run/a.sock", "/run/b.sock"]);
    }

    #[test]
    fn resolved_values_fold_paths_against_chdir() {
        let f = file(Role::Restarter, "uwsgi:\n  chdir: /srv/galaxy/server\n");
        let base = path_base(&f);
        assert_eq!(resolved("../var/./a.pid", base.as_deref()), "/srv/galaxy/var/a.pid");
        assert_eq!(resolved(" 127.0.0.1:9191 ", base.as_deref()), "127.0.0.1:9191");
        let b = file(Role::Restarter, "uwsgi:\n  processes: 1\n");
        assert_eq!(path_base(&b), None);
        let a = LintFile::new(Role::Zergling, false, Source::new("/v/a.yml", "uwsgi:\n  x: 1\n"));
        assert_eq!(path_base(&a), Some(PathBuf::from("/v")));
    }

    #[test]
    fn files_are_found_among_copies_then_on_disk() {
        let files =
            ["/tmp/copy/config/galaxy.yml", "/tmp/root/srv/galaxy/vassals/vassal-zergling.yml"];
        let set = FileSet {
            files: files
                .iter()
                .map(|p| LintFile::new(Role::Other, false, Source::new(*p, "")))
                .collect(),
            config: None,
        };
        let find = |p: &str| find_file(&set, Path::new(p));
        assert_eq!(find("/tmp/copy/config/./galaxy.yml"), Some(Found::InSet(0)));
        assert_eq!(find("/srv/galaxy/config/galaxy.yml"), Some(Found::InSet(0)));
        assert_eq!(find("/srv/galaxy/vassals/vassal-zergling.yml"), Some(Found::InSet(1)));
        assert_eq!(find("/srv/galaxy/other/galaxy.yml"), Some(Found::InSet(0)));
        assert_eq!(find("/srv/galaxy/other/job_conf.xml"), None);
        let any = |_: &LintFile| true;
        assert!(known_missing(&set, Path::new("/srv/galaxy/config/job_conf-nope.xml"), any));
        assert!(!known_missing(&set, Path::new("/srv/galaxy/config/job_conf-nope.xml"), |f| {
            f.role.is_job_conf()
        }));
        assert!(!known_missing(&set, Path::new("/nowhere-here/job_conf.xml"), any));
        assert!(same_file(&set, Path::new("/srv/galaxy/config/galaxy.yml"), Path::new(files[0])));
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
