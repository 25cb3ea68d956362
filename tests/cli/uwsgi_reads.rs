//! Hands every generated YAML file to a real uWSGI (`--show-config`) and checks that the options
//! it parsed are exactly the ones intended, in order: Debian's uWSGI, which reads YAML with
//! libyaml, and the PyPI build, which has its own line-based reader.

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{copy_tree, fixture, uwsgi_available, zergcfg};

/// The options uWSGI parsed from `file`, as `key = value` lines, without the ones this test adds
/// on the command line.
fn parsed_options(uwsgi: &Path, file: &Path) -> Vec<String> {
    let mut child = Command::new(uwsgi)
        .arg("--yaml")
        .arg(file)
        .args(["--show-config", "--logto", "/dev/stdout", "--hook-pre-app", "exit:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .expect("uwsgi starts");
    let stdout = child.stdout.take().unwrap();

    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        let mut inside = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line == "[uwsgi]" {
                inside = true;
            } else if line == ";end of configuration" {
                break;
            } else if inside {
                lines.push(line);
            }
        }
        let _ = tx.send(lines);
    });
    let lines = rx.recv_timeout(Duration::from_secs(20)).expect("uwsgi printed its configuration");

    // The parse is all this test needs: stop the instance (SIGINT: SIGTERM would reload it).
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.wait();

    let added = ["yaml = ", "show-config = ", "logto = /dev/stdout", "hook-pre-app = exit:0"];
    lines.into_iter().filter(|l| !added.iter().any(|a| l.starts_with(a))).collect()
}

fn expected(root: &str, lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.replace("R/", &format!("{root}/"))).collect()
}

#[test]
fn debian_uwsgi_reads_every_generated_file_as_intended() {
    if !uwsgi_available() {
        return;
    }
    reads_as_intended(Path::new("uwsgi"), "debian");
}

#[test]
fn pypi_uwsgi_reads_every_generated_file_as_intended() {
    let Some(uwsgi) = crate::support::pypi_uwsgi() else {
        return;
    };
    reads_as_intended(&uwsgi, "pypi");
}

fn reads_as_intended(uwsgi: &Path, packaging: &str) {
    let debian = packaging == "debian";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("srv/galaxy");
    copy_tree(&fixture("example/srv/galaxy/config"), &root.join("config"));
    let r = root.display().to_string();
    let toml = format!(
        "[layout]\nroot = \"{r}\"\nvenv = \"/srv/galaxy/venv\"\njob_conf = \"config/job_conf.xml\"\n\
         [uwsgi]\npackaging = \"{packaging}\"\n"
    );
    fs::write(dir.path().join("zerg.toml"), toml).unwrap();
    fs::create_dir_all(root.join("var")).unwrap();
    fs::create_dir_all(root.join("server")).unwrap();

    let out = zergcfg(dir.path(), &["build", "--config", "zerg.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    let pool = parsed_options(uwsgi, &root.join("vassals/vassal-zergpool.yml"));
    let mut pool_expected =
        expected(&r, &["master = true", "zergpool = R/var/zergpool.sock:127.0.0.1:8080"]);
    if debian {
        pool_expected.insert(0, "plugins = zergpool".to_string());
    }
    assert_eq!(pool, pool_expected);

    // The zerglings wait for the pool's socket before anything else: stand one up.
    let _ = fs::remove_file(root.join("var/zergpool.sock"));
    let _pool = UnixListener::bind(root.join("var/zergpool.sock")).unwrap();

    let galaxy_options = [
        "buffer-size = 16384",
        "processes = 2",
        "threads = 4",
        "offload-threads = 2",
        "static-map = /static=static",
        "static-map = /favicon.ico=static/favicon.ico",
        "static-safe = client/src/assets",
        "virtualenv = /srv/galaxy/venv",
        "pythonpath = lib",
        "module = galaxy.webapps.galaxy.buildapp:uwsgi_app()",
        "thunder-lock = true",
        "die-on-term = true",
        "hook-master-start = unix_signal:2 gracefully_kill_them_all",
        "hook-master-start = unix_signal:15 gracefully_kill_them_all",
        "py-call-osafterfork = true",
        "enable-threads = true",
    ];
    let mules =
        ["mule = lib/galaxy/main.py", "mule = lib/galaxy/main.py", "farm = job-handlers:1,2"];
    let head = |config: &str| {
        let plugins = debian.then(|| "plugins = python3".to_string());
        plugins
            .into_iter()
            .chain([
                "master = true".to_string(),
                format!("chdir = {r}/server"),
                format!("set = galaxy_config_file={r}/config/{config}"),
                format!("galaxy_config_file = {r}/config/{config}"),
                format!("zerg = {r}/var/zergpool.sock"),
                format!("hook-asap = wait_for_socket:{r}/var/zergpool.sock"),
            ])
            .collect::<Vec<_>>()
    };
    let resources = |name: &str| {
        vec![
            format!("master-fifo = {r}/var/{name}.fifo"),
            format!("pidfile = {r}/var/{name}.pid"),
            format!("logto = {r}/var/{name}.log"),
            format!("stats = {r}/var/{name}-stats.sock"),
        ]
    };

    // Zergling A on first boot: no restarter FIFO yet, so its hook is left out.
    let mut zergling = head("galaxy.yml");
    zergling.extend(resources("zergling"));
    zergling.push(format!("if-exists = {r}/var/restarter.fifo"));
    zergling.push("endif = if-exists".to_string());
    zergling.extend(galaxy_options.iter().chain(&mules).map(|s| (*s).to_string()));
    assert_eq!(parsed_options(uwsgi, &root.join("vassals/vassal-zergling.yml")), zergling);

    // Zergling A respawned during a restart: the restarter's FIFO exists, the hook is there.
    let fifo = root.join("var/restarter.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    zergling.insert(
        zergling.iter().position(|l| l == "endif = if-exists").unwrap(),
        format!("hook-accepting1-once = writefifo:{r}/var/restarter.fifo q"),
    );
    assert_eq!(parsed_options(uwsgi, &root.join("vassals/vassal-zergling.yml")), zergling);

    // The restarter: no mule and no farm; its galaxy section is not read as uWSGI options.
    let mut restarter = head("galaxy-restarter.yml");
    restarter.extend(resources("restarter"));
    restarter.push(format!("hook-accepting1-once = writefifo:{r}/var/zergling.fifo q"));
    restarter.extend(galaxy_options.iter().map(|s| (*s).to_string()));
    assert_eq!(parsed_options(uwsgi, &root.join("config/galaxy-restarter.yml")), restarter);
}
