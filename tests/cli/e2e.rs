//! End-to-end test of the double zerg dance with a real uWSGI.
//!
//! `zergcfg build` generates the vassals and the restarter for a temporary layout whose Galaxy is
//! a small stand-in (`tests/e2e/standin`). A real Emperor runs the vassals, and the restarter is
//! run three times while a client keeps sending requests. The dance must drop no request, hand
//! serving over from A to B to a new A on every restart, and never run two job-handler mules with
//! one name at the same time. A second test gives the restarter a mule and expects the same checks
//! to fail, so they are known to be able to. The public address speaks plain HTTP, or the uwsgi
//! protocol in one variant.

#[path = "e2e_checks.rs"]
mod checks;
#[path = "e2e_client.rs"]
mod client;
#[path = "e2e_process.rs"]
mod process;

use std::fmt::Write as _;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use tempfile::TempDir;

use crate::support::uwsgi_available;

/// How many times the restarter is run in one test.
const RESTARTS: usize = 3;

/// Environment variable through which the stand-in mules learn the var directory.
const VAR_DIR_ENV: &str = "STANDIN_VAR_DIR";

/// Longest unix socket path uWSGI binds.
const MAX_SOCKET_PATH: usize = zergcfg::uwsgi::binds::MAX_UNIX_SOCKET;

/// Lets one dance run at a time: two Emperors side by side starve each other of the CPU on a
/// small machine, and a starved handover is what the tests must not confuse with a broken one.
static ONE_DANCE: Mutex<()> = Mutex::new(());

fn one_dance() -> MutexGuard<'static, ()> {
    ONE_DANCE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A temporary Galaxy layout: `server`, `config`, `var` and `vassals` under one root, run by
/// one uWSGI binary.
struct Layout {
    _dir: TempDir,
    root: PathBuf,
    port: u16,
    uwsgi: PathBuf,
    packaging: &'static str,
    protocol: client::Protocol,
}

impl Layout {
    /// Create the layout with the stand-in server, `galaxy.yml`, `job_conf.xml` and `zerg.toml`,
    /// for Debian's uWSGI.
    fn new() -> Self {
        Self::with_uwsgi(PathBuf::from("uwsgi"), "debian")
    }

    /// The same for another uWSGI binary, built the way `packaging` says (`debian`, `pypi`).
    fn with_uwsgi(uwsgi: PathBuf, packaging: &'static str) -> Self {
        Self::with(uwsgi, packaging, client::Protocol::Http)
    }

    /// The same with a public address speaking `protocol`.
    fn with(uwsgi: PathBuf, packaging: &'static str, protocol: client::Protocol) -> Self {
        let dir =
            tempfile::Builder::new().prefix("zerg-e2e-").tempdir().expect("create the layout root");
        let root = dir.path().to_path_buf();
        let port = free_port();

        // The longest socket the generated files name must fit in a unix socket address.
        let longest = root.join("var/restarter-stats.sock");
        assert!(
            longest.as_os_str().len() <= MAX_SOCKET_PATH,
            "temporary directory {} is too deep for unix socket paths; set TMPDIR to a short path",
            root.display()
        );

        for sub in ["server", "config", "var"] {
            fs::create_dir_all(root.join(sub)).expect("create the layout directories");
        }
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&manifest.join("tests/e2e/standin"), &root.join("server/standin"));

        let layout = Self { _dir: dir, root, port, uwsgi, packaging, protocol };
        layout.write_fixture("galaxy.yml", "config/galaxy.yml");
        layout.write_fixture("job_conf.xml", "config/job_conf.xml");
        layout.write_fixture("zerg.toml", "zerg.toml");
        layout
    }

    /// Copy a fixture from `fixtures/e2e`, filling in the root and the port.
    fn write_fixture(&self, name: &str, to: &str) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/e2e").join(name);
        let text = fs::read_to_string(&path).expect("read an e2e fixture");
        let root = self.root.to_str().expect("temporary paths are UTF-8");
        let text = text
            .replace("@ROOT@", root)
            .replace("@PORT@", &self.port.to_string())
            .replace("@BIND@", self.protocol.bind_option())
            .replace("@PACKAGING@", self.packaging);
        fs::write(self.root.join(to), text).expect("write a layout file");
    }

    fn var(&self) -> PathBuf {
        self.root.join("var")
    }

    fn restarter(&self) -> PathBuf {
        self.root.join("config/galaxy-restarter.yml")
    }

    /// The last lines of every log the dance writes, for a failure message.
    fn diagnostics(&self) -> String {
        let mut out = String::new();
        for log in ["emperor.log", "var/zergling.log", "var/restarter.log", "var/handlers.log"] {
            let text = fs::read_to_string(self.root.join(log)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(25)..];
            let _ = writeln!(out, "--- {log} (last {} lines)", tail.len());
            for line in tail {
                let _ = writeln!(out, "{line}");
            }
        }
        out
    }
}

/// What one run of the dance produced.
struct Run {
    /// Every request the client sent, in order.
    served: Vec<client::Outcome>,
    /// Exit status of each restarter command, `None` when it did not finish in time.
    restarts: Vec<Option<ExitStatus>>,
    /// The stand-in mules' event log.
    handlers_log: String,
}

impl Run {
    /// Every way in which the run broke the dance's promises.
    fn problems(&self) -> Vec<String> {
        let mut problems = checks::serving(&self.served, RESTARTS);
        for (n, status) in self.restarts.iter().enumerate() {
            match status {
                Some(status) if status.success() => {}
                Some(status) => problems.push(format!("restart {}: B exited with {status}", n + 1)),
                None => problems.push(format!("restart {}: B did not exit in time", n + 1)),
            }
        }
        problems.extend(checks::handlers(&self.handlers_log, RESTARTS + 1));
        problems
    }
}

/// A local port that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free local port");
    listener.local_addr().expect("read the local port").port()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create a directory");
    for entry in fs::read_dir(from).expect("list a directory") {
        let entry = entry.expect("read a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("read a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy a file");
        }
    }
}

/// Run `zergcfg build` on the layout's zerg.toml.
fn build(layout: &Layout) {
    let output = Command::new(env!("CARGO_BIN_EXE_zergcfg"))
        .arg("build")
        .arg("--config")
        .arg(layout.root.join("zerg.toml"))
        .output()
        .expect("run zergcfg build");
    assert!(
        output.status.success(),
        "zergcfg build failed with {}:\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Start the Emperor, restart through the restarter while a client runs, stop the Emperor.
fn dance(layout: &Layout) -> Run {
    let mut emperor = Command::new(&layout.uwsgi);
    emperor
        .arg("--emperor")
        .arg(layout.root.join("vassals"))
        .args(["--emperor-freq", "1"])
        .env(VAR_DIR_ENV, layout.var())
        .current_dir(&layout.root);
    let mut emperor = process::Guard::spawn(emperor, &layout.root.join("emperor.log"));

    if let Err(error) =
        client::wait_until_serving(layout.port, layout.protocol, Duration::from_secs(30))
    {
        drop(emperor);
        panic!("zergling A never served: {error}\n{}", layout.diagnostics());
    }

    let stop = Arc::new(AtomicBool::new(false));
    let requests = client::spawn(layout.port, layout.protocol, Arc::clone(&stop));
    thread::sleep(Duration::from_millis(500));

    let mut restarts = Vec::new();
    for n in 1..=RESTARTS {
        let mut restarter = Command::new(&layout.uwsgi);
        restarter
            .arg("--yaml")
            .arg(layout.restarter())
            .env(VAR_DIR_ENV, layout.var())
            .current_dir(&layout.root);
        let log = layout.var().join(format!("restart-{n}.out"));
        let mut restarter = process::Guard::spawn(restarter, &log);
        restarts.push(restarter.wait(Duration::from_secs(40)));

        // Let the new A serve a while before the next restart, as an admin would.
        thread::sleep(Duration::from_millis(700));
    }

    stop.store(true, Ordering::Relaxed);
    let served = requests.join().expect("the client thread panicked");
    emperor.stop();

    let handlers_log = fs::read_to_string(layout.var().join("handlers.log")).unwrap_or_default();
    Run { served, restarts, handlers_log }
}

/// Give the generated restarter the mistake the dance exists to avoid: a job-handler mule
/// in the farm A's first mule belongs to.
fn add_mule_to_restarter(layout: &Layout) {
    let path = layout.restarter();
    let text = fs::read_to_string(&path).expect("read the generated restarter");
    let lines: Vec<&str> = text.lines().collect();
    let section = lines
        .iter()
        .position(|line| line.trim_end() == "uwsgi:")
        .expect("the restarter has a uwsgi section");
    let indent: String = lines
        .get(section + 1)
        .map(|line| line.chars().take_while(|c| *c == ' ').collect())
        .unwrap_or_default();

    let mut out = Vec::with_capacity(lines.len() + 2);
    out.extend_from_slice(&lines[..=section]);
    let mule = format!("{indent}mule: standin/mule.py");
    let farm = format!("{indent}farm: job-handlers:1");
    out.push(&mule);
    out.push(&farm);
    out.extend_from_slice(&lines[section + 1..]);
    fs::write(&path, out.join("\n") + "\n").expect("write the restarter");
}

/// Runs the dance in a built layout and fails with every broken promise and the logs.
fn assert_dance_keeps_its_promises(layout: &Layout) {
    let problems = dance(layout).problems();
    assert!(
        problems.is_empty(),
        "the dance broke its promises:\n{}\n{}",
        problems.join("\n"),
        layout.diagnostics()
    );
}

#[test]
fn double_zerg_dance_keeps_serving_and_handler_names_unique() {
    if !uwsgi_available() {
        return;
    }
    let _turn = one_dance();
    let layout = Layout::new();
    build(&layout);

    assert_dance_keeps_its_promises(&layout);
}

/// The same dance with the uWSGI the admin training installs in Galaxy's virtualenv: the PyPI
/// build, with its own YAML reader and the Python and zergpool plugins built in.
#[test]
fn the_dance_works_with_the_pypi_uwsgi_too() {
    let Some(uwsgi) = crate::support::pypi_uwsgi() else {
        return;
    };
    let _turn = one_dance();
    let layout = Layout::with_uwsgi(uwsgi, "pypi");
    build(&layout);

    assert_dance_keeps_its_promises(&layout);
}

/// The same dance on a public address speaking the uwsgi protocol (`socket:`), as behind nginx:
/// the zerglings get the pool's sockets without `protocol: http`, and the client sends uwsgi
/// packets.
#[test]
fn the_dance_serves_a_uwsgi_protocol_socket_too() {
    if !uwsgi_available() {
        return;
    }
    let _turn = one_dance();
    let layout = Layout::with(PathBuf::from("uwsgi"), "debian", client::Protocol::Uwsgi);
    build(&layout);
    let zergling = fs::read_to_string(layout.root.join("vassals/vassal-zergling.yml"))
        .expect("read the generated zergling");
    assert!(!zergling.contains("protocol: http"), "{zergling}");

    assert_dance_keeps_its_promises(&layout);
}

#[test]
fn b_with_mules_is_caught() {
    if !uwsgi_available() {
        return;
    }
    let _turn = one_dance();
    let layout = Layout::new();
    build(&layout);
    add_mule_to_restarter(&layout);

    let run = dance(&layout);

    let problems = run.problems();
    assert!(
        problems.iter().any(|problem| problem.starts_with("collision")),
        "a restarter with a mule went unnoticed; problems found: {problems:?}\n{}",
        layout.diagnostics()
    );
    eprintln!("caught, as expected:\n{}", problems.join("\n"));
}
