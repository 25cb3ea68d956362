//! Who can read a file once it is written: the restarter and its job conf are kept from other
//! users, and that must not also keep them from Galaxy's own user, who runs the restart.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// A user as `/etc/passwd` and `/etc/group` know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// User id.
    pub uid: u32,
    /// Primary group and every group that lists the user as a member.
    pub groups: Vec<u32>,
}

impl Account {
    /// Looks `user` up in a passwd-style and a group-style file; `None` when the user is not
    /// there (zergcfg may run on a staging machine that has no such user).
    pub fn lookup(user: &str, passwd_file: &Path, group_file: &Path) -> Option<Self> {
        let passwd = fs::read_to_string(passwd_file).ok()?;
        let (uid, primary) = passwd.lines().find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            let [name, _, uid, gid, ..] = fields.as_slice() else { return None };
            (*name == user).then(|| Some((uid.parse().ok()?, gid.parse().ok()?)))?
        })?;

        let mut groups = vec![primary];
        let text = fs::read_to_string(group_file).unwrap_or_default();
        for line in text.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            let [_, _, gid, members, ..] = fields.as_slice() else { continue };
            let member = members.split(',').any(|m| m.trim() == user);
            if let (true, Ok(gid)) = (member, gid.parse()) {
                groups.push(gid);
            }
        }
        Some(Self { uid, groups })
    }

    /// Whether a file with this owner, group and mode is readable by the account, as the
    /// kernel decides it: the owner bits for the owner, else the group bits for a member, else
    /// the other bits; root reads everything.
    pub fn can_read(&self, owner: u32, group: u32, mode: u32) -> bool {
        if self.uid == 0 {
            return true;
        }
        if self.uid == owner {
            return mode & 0o400 != 0;
        }
        if self.groups.contains(&group) {
            return mode & 0o040 != 0;
        }
        mode & 0o004 != 0
    }
}

impl Account {
    /// Whether the account may create files in a directory with this owner, group and mode:
    /// write and search permission, judged like [`can_read`](Self::can_read).
    pub fn can_write(&self, owner: u32, group: u32, mode: u32) -> bool {
        if self.uid == 0 {
            return true;
        }
        let bits = if self.uid == owner {
            mode >> 6
        } else if self.groups.contains(&group) {
            mode >> 3
        } else {
            mode
        };
        bits & 0o3 == 0o3
    }
}

/// A written file that Galaxy's user cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Its owner's uid.
    pub owner: u32,
    /// Its permission bits.
    pub mode: u32,
}

/// Checks the file at `path` (as it is on disk) against `account`; `None` when it can read it
/// or the file cannot be looked at.
pub fn unreadable(path: &Path, account: &Account) -> Option<Unreadable> {
    let metadata = fs::metadata(path).ok()?;
    let mode = metadata.mode() & 0o7777;
    if account.can_read(metadata.uid(), metadata.gid(), mode) {
        None
    } else {
        Some(Unreadable { owner: metadata.uid(), mode })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(passwd: &str, group: &str, user: &str) -> Option<Account> {
        let dir = tempfile::tempdir().unwrap();
        let (p, g) = (dir.path().join("passwd"), dir.path().join("group"));
        fs::write(&p, passwd).unwrap();
        fs::write(&g, group).unwrap();
        Account::lookup(user, &p, &g)
    }

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
                          galaxy:x:999:998:Galaxy:/srv/galaxy:/bin/bash\n";
    const GROUP: &str = "root:x:0:\ngalaxy:x:998:\nweb:x:33:nginx,galaxy\nother:x:50:nginx\n";

    #[test]
    fn finds_the_primary_group_and_memberships() {
        let galaxy = account(PASSWD, GROUP, "galaxy").unwrap();
        assert_eq!(galaxy, Account { uid: 999, groups: vec![998, 33] });
        assert_eq!(account(PASSWD, GROUP, "nobody"), None);
    }

    #[test]
    fn reads_as_the_kernel_decides() {
        let galaxy = account(PASSWD, GROUP, "galaxy").unwrap();
        assert!(!galaxy.can_read(0, 0, 0o600), "root's own file");
        assert!(galaxy.can_read(0, 998, 0o640), "a group it is in");
        assert!(galaxy.can_read(0, 33, 0o640), "a supplementary group");
        assert!(!galaxy.can_read(0, 50, 0o640), "a group it is not in");
        assert!(galaxy.can_read(999, 0, 0o600), "its own file");
        assert!(!galaxy.can_read(999, 998, 0o040), "the owner bits decide for the owner");
        assert!(account(PASSWD, GROUP, "root").unwrap().can_read(999, 998, 0o000));
    }
}
