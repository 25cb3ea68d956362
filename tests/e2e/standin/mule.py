"""Stand-in for a Galaxy job-handler mule in the zerg-mode end-to-end test.

The mule names itself as Galaxy does: a mule whose id (`uwsgi.mule_id()`) stands at position N
(1-based) in the id list of `farm: F:<ids>` is `main.F.N`, so `farm: job-handlers:1,2` makes
mules 1 and 2 `main.job-handlers.1` and `main.job-handlers.2`. A mule in no farm, which Galaxy
does not use as a named handler, is called `main.mule.<mule id>` here.

While it runs it holds an exclusive flock on `<var>/handler-<name>.lock` and appends one
line per event to `<var>/handlers.log`:

    start <name> <pid> <monotonic ns>
    stop <name> <pid> <monotonic ns>
    collision <name> <pid> <monotonic ns>

`collision` means another process held the lock for the same name, that is two handlers
with one name ran at once; the mule then keeps running so the overlap stays visible.
<var> is the environment variable STANDIN_VAR_DIR, else the directory of the instance's
master FIFO. The mule exits promptly on SIGHUP, SIGINT, SIGTERM and SIGQUIT, and on its own
after ten minutes.
"""

import fcntl
import os
import signal
import sys
import time

import uwsgi

SERVER_NAME = "main"
STOP = []
# A mule left behind by a test that went wrong still ends on its own.
MAX_SECONDS = 600


def values(name):
    """Every value of a repeatable uWSGI option, as text."""
    value = uwsgi.opt.get(name)
    if value is None:
        value = uwsgi.opt.get(name.encode())
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    return [v.decode() if isinstance(v, bytes) else str(v) for v in value]


def handler_name():
    """Galaxy's name for this mule, from its id and the farm options."""
    mule_id = uwsgi.mule_id()
    for farm in values("farm"):
        farm_name, _, ids = farm.partition(":")
        members = [int(i) for i in ids.split(",") if i.strip()]
        if mule_id in members:
            return "{}.{}.{}".format(SERVER_NAME, farm_name, members.index(mule_id) + 1)
    return "{}.mule.{}".format(SERVER_NAME, mule_id)


def var_dir():
    """Directory for the lock files and handlers.log."""
    configured = os.environ.get("STANDIN_VAR_DIR")
    if configured:
        return configured
    return os.path.dirname(values("master-fifo")[0])


def record(var, event, name):
    """Append one event line; O_APPEND keeps lines from several processes whole."""
    line = "{} {} {} {}\n".format(event, name, os.getpid(), time.monotonic_ns())
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
    fd = os.open(os.path.join(var, "handlers.log"), flags, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def stop(signum, frame):
    """Ask the main loop to finish (uWSGI sends SIGHUP on a graceful stop, SIGINT otherwise)."""
    STOP.append(signum)


def main():
    """Take the handler name's lock, record the run, and idle until uWSGI stops the mule."""
    for signum in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
        signal.signal(signum, stop)

    name = handler_name()
    var = var_dir()
    lock_path = os.path.join(var, "handler-{}.lock".format(name))
    lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        record(var, "collision", name)
    record(var, "start", name)

    # Short sleeps so a signal is noticed within a tenth of a second.
    deadline = time.monotonic() + MAX_SECONDS
    while not STOP and time.monotonic() < deadline:
        time.sleep(0.1)

    record(var, "stop", name)
    os.close(lock)
    sys.exit(0)


main()
