//! Writing a plan to disk: unchanged files are left alone (touching a vassal makes the Emperor
//! reload it, with downtime), changed ones are replaced atomically, keeping owner and mode, and
//! files holding secrets are never world-readable.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::plan::{Access, PlannedFile};

const CODE: &str = "zergcfg::write";

/// What happened (or would happen) to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// It did not exist.
    Created,
    /// Its content, mode or group differed.
    Changed,
    /// Already as planned: not touched.
    Unchanged,
}

/// What is installed at a planned file's place, as far as the plan cares.
#[derive(Debug, Clone)]
pub struct Installed {
    /// Its bytes.
    pub content: Vec<u8>,
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
}

/// The mode and group a planned file should end up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    /// Permission bits.
    pub mode: u32,
    /// Group to set, when one is configured.
    pub gid: Option<u32>,
}

/// A planned file with what is installed at its place and what writing it would do.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The file.
    pub file: PlannedFile,
    /// Where its bytes go: its place on disk, or the file a symbolic link there leads to.
    pub destination: PathBuf,
    /// What is there now.
    pub installed: Option<Installed>,
    /// The mode and group it should end up with.
    pub wanted: Wanted,
    /// Created, changed or left alone.
    pub outcome: Outcome,
}

impl Pending {
    /// Looks at what is installed for `file` (under `root` when given); `gid` is the group
    /// the files holding secrets are given ([`group_id`]).
    ///
    /// # Errors
    /// A dangling symbolic link or a link loop at its place, or a file that cannot be read.
    pub fn new(file: &PlannedFile, root: Option<&Path>, gid: Option<u32>) -> Result<Self> {
        let destination = destination(&file.on_disk, root)?;
        let installed = installed(&destination)?;
        let wanted = wanted(file, installed.as_ref(), gid);
        let outcome = outcome(file, installed.as_ref(), wanted);
        Ok(Self { file: file.clone(), destination, installed, wanted, outcome })
    }
}

/// How many links are followed before a place counts as a loop (the kernel's own limit).
const MAX_LINKS: usize = 40;

/// Where the bytes written to `path` go. A symbolic link there is kept and written through:
/// administrators link vassals from a repository of their own, and replacing the link by a
/// file would leave that copy stale. Links are followed one by one; under `root` a link to an
/// absolute path leads under `root` too, as it would on the target machine.
///
/// # Errors
/// A link that leads nowhere (nothing is written then, the link's target being the admin's
/// to create), a loop, or a link that cannot be read.
pub fn destination(path: &Path, root: Option<&Path>) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let metadata = match fs::symlink_metadata(&current) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && current == path => {
                return Ok(current);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::new(
                    CODE,
                    format!(
                        "{} is a symbolic link to {}, which does not exist",
                        path.display(),
                        current.display()
                    ),
                )
                .with_help(format!(
                    "zergcfg writes through the link: create {} (its directory and an empty \
                     file will do), or remove the link to have a regular file written at {}",
                    current.display(),
                    path.display()
                )));
            }
            Err(e) => return Err(Error::io(CODE, &current, "read", &e)),
        };
        if !metadata.file_type().is_symlink() {
            return Ok(current);
        }
        let link = fs::read_link(&current).map_err(|e| Error::io(CODE, &current, "read", &e))?;
        current = if link.is_absolute() {
            crate::plan::on_disk(root, &link)
        } else {
            current.parent().unwrap_or(Path::new(".")).join(link)
        };
    }
    Err(Error::new(CODE, format!("{} is a loop of symbolic links", path.display()))
        .with_help("point the link at a file, or remove it to have a regular file written there"))
}

/// Reads what is installed at `path`, if anything.
///
/// # Errors
/// A file that exists but cannot be read.
pub fn installed(path: &Path) -> Result<Option<Installed>> {
    let metadata = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(CODE, path, "read", &e)),
    };
    if !metadata.is_file() {
        return Err(Error::new(CODE, format!("{} exists and is not a file", path.display()))
            .with_help("move it out of the way; zergcfg writes a regular file there"));
    }
    let content = fs::read(path).map_err(|e| {
        Error::io(CODE, path, "read", &e).with_help("run zergcfg as a user that can read it")
    })?;
    Ok(Some(Installed {
        content,
        mode: metadata.permissions().mode() & 0o7777,
        uid: metadata.uid(),
        gid: metadata.gid(),
    }))
}

/// The mode and group a file should have: an existing file keeps its mode, except that a
/// file holding secrets loses any world bits; a new one gets 0644, or 0600/0640 for secrets.
/// `gid` is `layout.group`'s, when set.
pub fn wanted(file: &PlannedFile, installed: Option<&Installed>, gid: Option<u32>) -> Wanted {
    let existing = installed.map(|i| i.mode);
    match (&file.access, gid) {
        (Access::Public, _) => Wanted { mode: existing.unwrap_or(0o644), gid: None },
        (Access::Secret { .. }, None) => {
            Wanted { mode: existing.map_or(0o600, |m| m & !0o007), gid: None }
        }
        (Access::Secret { .. }, Some(gid)) => {
            let mode = existing.map_or(0o640, |m| (m & !0o007) | 0o040);
            Wanted { mode, gid: Some(gid) }
        }
    }
}

/// The group id of `layout.group`, looked up in an `/etc/group`-style file; `None` when
/// zerg.toml sets no group.
///
/// # Errors
/// The group does not exist, pointing at `layout.group` in zerg.toml.
pub fn group_id(config: &Config, group_file: &Path) -> Result<Option<u32>> {
    let Some(group) = &config.group else {
        return Ok(None);
    };
    lookup_group(group, group_file).map(Some).ok_or_else(|| {
        Error::at(
            "zergcfg::config",
            &config.source,
            config.origin_span(&["layout", "group"]),
            format!("group `{group}` does not exist on this machine"),
            "the group that may read the restarter's files",
        )
        .with_help(format!(
            "create it (groupadd {group}) or set layout.group to an existing group or a number"
        ))
    })
}

/// Resolves a group name (or number) through an `/etc/group`-style file.
pub fn lookup_group(group: &str, group_file: &Path) -> Option<u32> {
    if let Ok(gid) = group.parse::<u32>() {
        return Some(gid);
    }
    let text = fs::read_to_string(group_file).unwrap_or_default();
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let gid = fields.nth(1)?.parse::<u32>().ok()?;
        (name == group).then_some(gid)
    })
}

/// Decides the outcome for one file without writing anything.
pub fn outcome(file: &PlannedFile, installed: Option<&Installed>, wanted: Wanted) -> Outcome {
    match installed {
        None => Outcome::Created,
        Some(i) => {
            let same_group = wanted.gid.is_none_or(|g| g == i.gid);
            if i.content == file.content.as_bytes() && i.mode == wanted.mode && same_group {
                Outcome::Unchanged
            } else {
                Outcome::Changed
            }
        }
    }
}

/// One file staged next to its destination, not yet renamed into place.
struct Staged {
    temporary: PathBuf,
    destination: PathBuf,
    /// The temporary file, open, to be synced to disk.
    handle: fs::File,
}

/// Writes every file whose outcome is not `Unchanged`: all are first staged as temporary files
/// beside their destinations and synced to disk, then renamed into place, so a failure part-way
/// leaves the installed files as they were; last, each directory that got a file is synced
/// once (not once per file), so that the renames survive a crash too.
///
/// # Errors
/// A directory that cannot be created, a file that cannot be written, chowned, synced or
/// renamed.
pub fn apply(files: &[Pending]) -> Result<()> {
    let mut staged = Vec::new();
    for pending in files.iter().filter(|p| p.outcome != Outcome::Unchanged) {
        match stage(pending) {
            Ok(s) => staged.push(s),
            Err(e) => {
                discard(&staged);
                return Err(e);
            }
        }
    }
    if let Err(e) = sync_each(staged.iter().map(|s| (&s.handle, s.destination.as_path()))) {
        discard(&staged);
        return Err(e);
    }

    for (i, s) in staged.iter().enumerate() {
        if let Err(e) = fs::rename(&s.temporary, &s.destination) {
            discard(&staged[i..]);
            return Err(Error::io(CODE, &s.destination, "replace", &e));
        }
    }

    let mut dirs: Vec<&Path> = Vec::new();
    for s in &staged {
        let dir = s.destination.parent().unwrap_or(Path::new("."));
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    let handles = dirs
        .iter()
        .map(|dir| fs::File::open(dir).map_err(|e| Error::io(CODE, dir, "sync", &e)))
        .collect::<Result<Vec<_>>>()?;
    sync_each(handles.iter().zip(dirs.iter().copied()))
}

/// Syncs each file to disk.
fn sync_each<'a>(mut files: impl Iterator<Item = (&'a fs::File, &'a Path)>) -> Result<()> {
    files
        .try_for_each(|(file, path)| file.sync_all().map_err(|e| Error::io(CODE, path, "sync", &e)))
}

fn stage(pending: &Pending) -> Result<Staged> {
    let (file, installed, wanted) = (&pending.file, pending.installed.as_ref(), pending.wanted);
    let destination = pending.destination.clone();
    let dir = destination.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| {
        Error::io(CODE, dir, "create directory", &e)
            .with_help("run zergcfg as a user that may write there, or use --root")
    })?;

    let name =
        destination.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.zergcfg-{}", std::process::id()));
    let write = || -> std::io::Result<fs::File> {
        let mut out =
            fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temporary)?;
        out.write_all(file.content.as_bytes())?;
        if installed.is_some() || wanted.gid.is_some() {
            let current = out.metadata()?;
            let uid = installed.map_or(current.uid(), |i| i.uid);
            let gid = wanted.gid.or(installed.map(|i| i.gid)).unwrap_or(current.gid());
            if (uid, gid) != (current.uid(), current.gid()) {
                std::os::unix::fs::fchown(&out, Some(uid), Some(gid))?;
            }
        }
        out.set_permissions(fs::Permissions::from_mode(wanted.mode))?;
        Ok(out)
    };
    match write() {
        Ok(handle) => Ok(Staged { temporary, destination, handle }),
        Err(e) => {
            let _ = fs::remove_file(&temporary);
            Err(Error::io(CODE, &file.on_disk, "write", &e).with_help(
                "run zergcfg as a user that may write there and set its owner and group",
            ))
        }
    }
}

fn discard(staged: &[Staged]) {
    for s in staged {
        let _ = fs::remove_file(&s.temporary);
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;
    use crate::plan::Role;

    fn planned(on_disk: &Path, content: &str) -> PlannedFile {
        PlannedFile {
            role: Role::Zergling,
            target: PathBuf::from("/srv/galaxy/vassals/vassal-zergling.yml"),
            on_disk: on_disk.to_path_buf(),
            content: content.to_string(),
            access: Access::Public,
        }
    }

    #[test]
    fn a_symlinked_file_is_written_through_and_the_link_kept() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir(&repo).unwrap();
        fs::write(repo.join("zergling.yml"), "old\n").unwrap();
        let link = dir.path().join("vassal-zergling.yml");
        symlink("repo/zergling.yml", &link).unwrap();

        let pending = Pending::new(&planned(&link, "new\n"), None, None).unwrap();
        assert_eq!(pending.destination, dir.path().join("repo/zergling.yml"));
        assert_eq!(pending.outcome, Outcome::Changed);
        apply(&[pending]).unwrap();

        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(repo.join("zergling.yml")).unwrap(), "new\n");
        let left: Vec<_> = fs::read_dir(&repo).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 1, "a temporary file was left: {left:?}");
    }

    #[test]
    fn an_absolute_link_under_a_root_leads_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("etc/galaxy")).unwrap();
        fs::write(dir.path().join("etc/galaxy/zergling.yml"), "old\n").unwrap();
        let link = dir.path().join("vassal-zergling.yml");
        symlink("/etc/galaxy/zergling.yml", &link).unwrap();
        let found = destination(&link, Some(dir.path())).unwrap();
        assert_eq!(found, dir.path().join("etc/galaxy/zergling.yml"));
    }

    #[test]
    fn dangling_links_and_loops_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("vassal-zergling.yml");
        symlink("nowhere/zergling.yml", &link).unwrap();
        let error = destination(&link, None).unwrap_err();
        assert!(error.message().contains("which does not exist"), "{}", error.message());

        let looped = dir.path().join("a.yml");
        symlink("a.yml", &looped).unwrap();
        let error = destination(&looped, None).unwrap_err();
        assert!(error.message().contains("loop"), "{}", error.message());

        let new = dir.path().join("new.yml");
        assert_eq!(destination(&new, None).unwrap(), new, "a file yet to create is its place");
    }

    #[test]
    fn every_changed_file_is_written_and_the_unchanged_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("sub/a.yml"), dir.path().join("b.yml"));
        fs::write(&b, "same\n").unwrap();
        fs::set_permissions(&b, fs::Permissions::from_mode(0o644)).unwrap();
        let before = fs::metadata(&b).unwrap().modified().unwrap();

        let pending = [
            Pending::new(&planned(&a, "a\n"), None, None).unwrap(),
            Pending::new(&planned(&b, "same\n"), None, None).unwrap(),
        ];
        assert_eq!(pending[1].outcome, Outcome::Unchanged);
        apply(&pending).unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "a\n");
        assert_eq!(fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o644);
        assert_eq!(fs::metadata(&b).unwrap().modified().unwrap(), before);
    }
}
