//! Writing a plan to disk: unchanged files are left alone (touching a vassal makes the Emperor
//! reload it, with downtime), changed ones are replaced atomically, keeping owner and mode, and
//! files holding secrets are never world-readable.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

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
///
/// # Errors
/// A configured group that does not exist.
pub fn wanted(
    file: &PlannedFile,
    installed: Option<&Installed>,
    group_file: &Path,
) -> Result<Wanted> {
    let existing = installed.map(|i| i.mode);
    match &file.access {
        Access::Public => Ok(Wanted { mode: existing.unwrap_or(0o644), gid: None }),
        Access::Secret { group: None } => {
            Ok(Wanted { mode: existing.map_or(0o600, |m| m & !0o007), gid: None })
        }
        Access::Secret { group: Some(group) } => {
            let gid = lookup_group(group, group_file)?;
            let mode = existing.map_or(0o640, |m| (m & !0o007) | 0o040);
            Ok(Wanted { mode, gid: Some(gid) })
        }
    }
}

/// Resolves a group name (or number) through an `/etc/group`-style file.
///
/// # Errors
/// The group does not exist.
pub fn lookup_group(group: &str, group_file: &Path) -> Result<u32> {
    if let Ok(gid) = group.parse::<u32>() {
        return Ok(gid);
    }
    let text = fs::read_to_string(group_file).unwrap_or_default();
    text.lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let gid = fields.nth(1)?.parse::<u32>().ok()?;
            (name == group).then_some(gid)
        })
        .ok_or_else(|| {
            Error::new(
                "zergcfg::config",
                format!(
                    "group `{group}` (layout.group in zerg.toml) does not exist on this machine"
                ),
            )
            .with_help(format!(
                "create it (groupadd {group}) or set layout.group to an existing group or a number"
            ))
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

/// One file staged next to its target, not yet renamed into place.
struct Staged {
    temporary: PathBuf,
    target: PathBuf,
}

/// Writes every file whose outcome is not `Unchanged`: all are first staged as temporary files in
/// their target directories, then renamed into place, so a failure part-way leaves the installed
/// files as they were.
///
/// # Errors
/// A directory that cannot be created, a file that cannot be written, chowned or renamed.
pub fn apply(files: &[(PlannedFile, Option<Installed>, Wanted, Outcome)]) -> Result<()> {
    let mut staged = Vec::new();
    for (file, installed, wanted, outcome) in files {
        if *outcome == Outcome::Unchanged {
            continue;
        }
        match stage(file, installed.as_ref(), *wanted) {
            Ok(s) => staged.push(s),
            Err(e) => {
                discard(&staged);
                return Err(e);
            }
        }
    }

    for (i, s) in staged.iter().enumerate() {
        if let Err(e) = fs::rename(&s.temporary, &s.target) {
            discard(&staged[i..]);
            return Err(Error::io(CODE, &s.target, "replace", &e));
        }
    }
    Ok(())
}

fn stage(file: &PlannedFile, installed: Option<&Installed>, wanted: Wanted) -> Result<Staged> {
    let target = file.on_disk.clone();
    let dir = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| {
        Error::io(CODE, dir, "create directory", &e)
            .with_help("run zergcfg as a user that may write there, or use --root")
    })?;

    let name = target.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.zergcfg-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut out =
            fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temporary)?;
        out.write_all(file.content.as_bytes())?;
        out.sync_all()?;
        let current = out.metadata()?;
        let uid = installed.map_or(current.uid(), |i| i.uid);
        let gid = wanted.gid.or(installed.map(|i| i.gid)).unwrap_or(current.gid());
        if (uid, gid) != (current.uid(), current.gid()) {
            std::os::unix::fs::chown(&temporary, Some(uid), Some(gid))?;
        }
        fs::set_permissions(&temporary, fs::Permissions::from_mode(wanted.mode))
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&temporary);
        return Err(Error::io(CODE, &target, "write", &e)
            .with_help("run zergcfg as a user that may write there and set its owner and group"));
    }
    Ok(Staged { temporary, target })
}

fn discard(staged: &[Staged]) {
    for s in staged {
        let _ = fs::remove_file(&s.temporary);
    }
}
