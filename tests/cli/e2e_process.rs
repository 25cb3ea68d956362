//! uWSGI processes for the end-to-end test: finding uWSGI, and a guard that stops the process it
//! started (by PID, with SIGINT, since SIGTERM makes a uWSGI master reload) even when a test fails.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long a stopped uWSGI gets to exit before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(20);

/// How often a bounded wait looks at the child again.
const POLL: Duration = Duration::from_millis(50);

/// A started process, interrupted and reaped when the guard goes away.
pub(super) struct Guard {
    child: Option<Child>,
}

impl Guard {
    /// Start `command` with its output appended to `log`.
    pub(super) fn spawn(mut command: Command, log: &Path) -> Self {
        let out = File::create(log).expect("create a process log");
        let err = out.try_clone().expect("share the process log");
        let child =
            command.stdin(Stdio::null()).stdout(out).stderr(err).spawn().expect("start uwsgi");
        Self { child: Some(child) }
    }

    /// Wait up to `within` for the process to exit on its own; `None` if it is still running.
    pub(super) fn wait(&mut self, within: Duration) -> Option<ExitStatus> {
        let child = self.child.as_mut()?;
        let status = wait_bounded(child, within);
        if status.is_some() {
            self.child = None;
        }
        status
    }

    /// Interrupt the process and wait for it, killing it if it outlives the grace period.
    pub(super) fn stop(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }

        interrupt(child.id());
        if let Some(status) = wait_bounded(&mut child, STOP_GRACE) {
            return Some(status);
        }

        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Send SIGINT to one process; std has no signal call, so this goes through kill(1).
fn interrupt(pid: u32) {
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn wait_bounded(child: &mut Child, within: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + within;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(POLL),
            Ok(None) | Err(_) => return None,
        }
    }
}
