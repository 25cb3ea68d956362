//! ZC401 relative-path-without-chdir: a vassal with a relative path and no `chdir`.
//!
//! The Emperor starts every vassal with the vassals directory as its working directory, so a
//! relative `pythonpath: lib` or `mule: lib/galaxy/main.py` resolves under
//! `/srv/galaxy/vassals/` unless the vassal sets `chdir`. Vassals are the pool, zergling A and
//! any other file in the vassals directory.

use super::syntax::{in_dirs, options_of, vassals_dirs};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::uwsgi::UwsgiOption;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC401",
    name: "relative-path-without-chdir",
    severity: Severity::Error,
    summary: "a vassal uses a relative path (pythonpath, virtualenv, mule, logto, ...) and has no \
              `chdir`",
    why: "The Emperor runs each vassal from the vassals directory. A relative path in a vassal \
          (`pythonpath: lib`, `virtualenv: .venv`, `mule: lib/galaxy/main.py`, a static-map \
          target, a log or pid file) is then looked up under the vassals directory, where it does \
          not exist: Galaxy fails to import, mules fail to start, or files land in the wrong \
          place. Setting `chdir` to Galaxy's server directory, or writing absolute paths, fixes \
          it.",
    bad: "uwsgi:\n  virtualenv: /srv/galaxy/venv\n  pythonpath: lib\n  mule: lib/galaxy/main.py\n",
    good: "uwsgi:\n  chdir: /srv/galaxy/server\n  virtualenv: /srv/galaxy/venv\n  pythonpath: \
           lib\n  mule: lib/galaxy/main.py\n",
};

/// The rule.
pub struct RelativePathWithoutChdir;

/// Options whose whole value is a path.
const PATH_OPTIONS: &[&str] = &[
    "pythonpath",
    "python-path",
    "pp",
    "virtualenv",
    "venv",
    "home",
    "pyhome",
    "wsgi-file",
    "file",
    "logto",
    "logto2",
    "daemonize",
    "daemonize2",
    "pidfile",
    "pidfile2",
    "safe-pidfile",
    "safe-pidfile2",
    "master-fifo",
    "touch-reload",
    "touch-chain-reload",
    "touch-workers-reload",
    "static-safe",
    "spooler",
    "if-exists",
    "if-not-exists",
    "ifexists",
    "if-file",
    "if-not-file",
    "if-dir",
    "if-not-dir",
    "ifdir",
    "if-directory",
];

/// Options whose value is a unix socket path unless it holds a `:` (a network address).
const SOCKET_OPTIONS: &[&str] = &["stats", "zerg"];

/// Hook actions whose first argument is a path.
const PATH_HOOK_ACTIONS: &[&str] =
    &["wait_for_socket", "wait_for_file", "wait_for_dir", "writefifo", "spinningfifo"];

impl Rule for RelativePathWithoutChdir {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let dirs = vassals_dirs(set);
        let server = set
            .config
            .as_ref()
            .map_or_else(|| "/srv/galaxy/server".to_string(), |c| c.server.display().to_string());

        for (index, file) in set.files.iter().enumerate() {
            let vassal = matches!(file.role, Role::Pool | Role::Zergling)
                || in_dirs(&file.source.path, &dirs);
            if !vassal {
                continue;
            }
            let Some(options) = options_of(file) else {
                continue;
            };
            if options.iter().any(|o| o.key == "chdir") {
                continue;
            }

            for option in options.iter() {
                let Some(range) = relative_path(option) else {
                    continue;
                };
                let path = &option.value[range.clone()];
                out.push(Finding::new(
                    &RULE,
                    index,
                    option.value_sub_span(&file.source.text, range),
                    format!(
                        "`{}` uses the relative path `{path}` and the vassal has no `chdir`: the \
                         Emperor starts it in the vassals directory, so `{path}` is looked up \
                         there",
                        option.key
                    ),
                    "relative to the vassals directory",
                    format!(
                        "add `chdir: {server}` (the directory the paths are relative to) to the \
                         vassal, or write `{path}` as an absolute path"
                    ),
                ));
            }
        }
    }
}

/// The byte range of a relative path in the option's value, if it holds one.
fn relative_path(option: &UwsgiOption) -> Option<std::ops::Range<usize>> {
    let key = option.key.as_str();
    let value = option.value.as_str();

    let range = if PATH_OPTIONS.contains(&key) {
        0..value.len()
    } else if SOCKET_OPTIONS.contains(&key) {
        if value.contains(':') {
            return None;
        }
        0..value.len()
    } else if key == "mule" {
        // A mule is a Python file (a path) or `module:callable`.
        let python_file =
            std::path::Path::new(value).extension().is_some_and(|e| e.eq_ignore_ascii_case("py"));
        if value.contains(':') || !(python_file || value.contains('/')) {
            return None;
        }
        0..value.len()
    } else if key == "zergpool" || key == "zerg-pool" {
        0..value.find(':')?
    } else if matches!(key, "static-map" | "static-map2") {
        value.find('=')? + 1..value.len()
    } else if key.starts_with("hook-") {
        let (action, args) = value.split_once(':')?;
        if !PATH_HOOK_ACTIONS.contains(&action) {
            return None;
        }
        let start = action.len() + 1;
        start..start + args.split(' ').next().unwrap_or(args).len()
    } else {
        return None;
    };

    is_relative(&value[range.clone()]).then_some(range)
}

/// Whether a path is relative: not absolute, not an abstract socket, not a placeholder or
/// environment reference whose value lint cannot know.
fn is_relative(path: &str) -> bool {
    let path = path.trim();
    !path.is_empty() && !path.starts_with(['/', '@', '%', '$', '~'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set_at, single};

    fn spans(text: &str) -> Vec<String> {
        check(&RelativePathWithoutChdir, &single(text))
            .iter()
            .map(|f| text[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn relative_paths_without_chdir() {
        let text = "uwsgi:\n  virtualenv: .venv\n  pythonpath: lib\n  \
                    module: galaxy.webapps.galaxy.buildapp:uwsgi_app()\n  \
                    static-map: /static=static\n  mule: lib/galaxy/main.py\n  \
                    mule: galaxy.jobs:main\n  stats: 127.0.0.1:9191\n  logto: var/zergling.log\n  \
                    hook-asap: wait_for_socket:var/zergpool.sock\n  \
                    hook-accepting1-once: writefifo:/srv/galaxy/var/b.fifo q\n";
        assert_eq!(
            spans(text),
            vec![
                ".venv",
                "lib",
                "static",
                "lib/galaxy/main.py",
                "var/zergling.log",
                "var/zergpool.sock"
            ]
        );
    }

    #[test]
    fn chdir_makes_them_fine() {
        let text = "uwsgi:\n  chdir: /srv/galaxy/server\n  pythonpath: lib\n";
        assert!(spans(text).is_empty());
    }

    #[test]
    fn only_vassals() {
        let text = "uwsgi:\n  pythonpath: lib\n";
        let files = set_at(&[
            ("/srv/galaxy/vassals/vassal-zergpool.yml", "uwsgi:\n  master: true\n"),
            ("/srv/galaxy/config/galaxy.yml", text),
            ("/srv/galaxy/config/galaxy-restarter.yml", text),
            ("/srv/galaxy/vassals/other-app.yml", text),
        ]);
        let found = check(&RelativePathWithoutChdir, &files);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].file, 3);
    }
}
