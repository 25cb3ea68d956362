"""Stand-in for Galaxy's WSGI application in the zerg-mode end-to-end test.

Every response names the zergling that served it, so a client can follow a restart:

    zergling=<role> master=<master pid> worker=<worker pid> config=<galaxy_config_file>

<role> is the file name of the instance's master FIFO without its extension
(`zergling` for the Emperor's zergling, `restarter` for the restarter), and
<galaxy_config_file> is read from uwsgi.opt the way Galaxy reads it.
"""

import os

import uwsgi


def option(name):
    """Return the last value of a uWSGI option as text, or '' when it is not set."""
    value = uwsgi.opt.get(name)
    if value is None:
        value = uwsgi.opt.get(name.encode())
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None or value is True:
        return ""
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


def role():
    """Name of this zergling, taken from its master FIFO path."""
    fifo = os.path.basename(option("master-fifo"))
    return fifo.rsplit(".", 1)[0] or "unknown"


def application(environ, start_response):
    """Answer every request with 200 and the identity of this zergling."""
    body = "zergling={} master={} worker={} config={}\n".format(
        role(), uwsgi.masterpid(), os.getpid(), option("galaxy_config_file")
    ).encode()
    start_response(
        "200 OK",
        [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))],
    )
    return [body]
