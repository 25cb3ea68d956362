"""Ask Galaxy 21.09's own code whether a restarter layout routes every job to zergling A's mules.

zergcfg writes, for zergling B (the restarter: web workers only, no mule, no farm), uWSGI options
and a job configuration that must make every job B creates land on one of zergling A's mule
handler names. This module runs Galaxy 21.09's real ``JobConfiguration`` (galaxy.jobs), its
handler assignment (galaxy.web_stack.handlers), its uWSGI application stack (galaxy.web_stack,
which finds Galaxy's config file and derives handler pools and mule names from uWSGI farms), its
``JobManager``, ``JobHandler`` (which loads the job runner plugins), ``JobRunnerMapper`` (which
resolves a job's destination), ``Tool`` job-configuration selection and
``WorkflowSchedulingManager`` against the given files, with jobs stored through Galaxy's real
SQLAlchemy model in a SQLite file, so every handler reported is the value the ``job.handler``
column holds.

Inputs. A's uWSGI options come from the zergling vassal (``--zergling-yml``) or, without it, from
galaxy.yml's ``uwsgi:`` section; B's from the restarter (``--restarter-yml``) or, without it,
from galaxy.yml's ``uwsgi:`` section less its ``mule``, ``mules`` and ``farm`` lines. Each
process's Galaxy settings are read from the file Galaxy's own ``get_app_kwds`` picks from its
uWSGI options (``set: galaxy_config_file=...``, else the YAML file itself), and its job conf is
that file's ``job_config_file``, unless ``--job-conf`` / ``--restarter-job-conf`` name one.
With ``--root DIR``, absolute paths inside the files are read from under DIR, as
``zergcfg build --root DIR`` writes them.

Checks:

* A's farms: the farms Galaxy's stack reads from ``uwsgi.opt`` are the farms uWSGI runs (under
  Python 3, uWSGI 2.0 puts only the last ``farm`` line in ``uwsgi.opt``).
* A (its mule/farm lines, its galaxy.yml, the main job conf) is loaded once per mule, as Galaxy
  loads a mule: the name Galaxy gives each mule and the tags it serves, the job runner plugins
  each handler mule loads (``JobHandler``, as ``JobManager.start()`` builds it), every
  destination's runner, and the destination ``JobRunnerMapper`` resolves for every tool mapping
  of the main job conf (and for an unmapped tool).
* A's own jobs: A's web worker 1 creates a job of an unmapped tool and of every tool mapping
  of the main job conf with A's ``JobManager``; each must reach a mule of A that Galaxy made
  a handler of the tool's handler: by its name in ``job.handler``, by a tag there that such a
  mule grabs, or by a farm message such a mule reads.
* B (uWSGI web worker 1, ``server_name`` renamed by Galaxy to ``main.web.1``) has no mule, mules
  or farm line, does not read A's job conf, loads its own, is neither a job handler nor a
  workflow scheduler, preassigns exactly A's mule names per tag, keeps every tool mapping of A's
  job conf, and writes into ``job.handler``: one of A's untagged mule names for an unmapped tool
  and a workflow invocation, and for every tool mapping of A's job conf (by id or class, with or
  without ``<param>``) one of A's mule names serving the handler tag or id it maps to.

Each failure has a kind (``FAILURE_KINDS`` below: rejected, handler, stranded, misrouted,
tool-mapping, mules, job-conf, config, farms, unhandled); ``--expect-failure KIND``
(repeatable) makes the check pass only when it fails with exactly those kinds.

Exit status: 0 when every check passes (with ``--expect-failure``: when it fails with exactly the
expected kinds), 1 when it does not, 2 when the files cannot be read (missing file, bad YAML),
3 when the check itself broke (an internal error: a stub too small for what Galaxy asked of it,
or a fault in this module). An internal error never counts as an expected failure.

Stubs, everything else is Galaxy's own code (``STUBS`` below, printed with every run).
"""

import argparse
import json
import logging
import os
import sys
import tempfile
import traceback
import types
from importlib import metadata

FAILURE_KINDS = {
    "rejected": "Galaxy's own code raised, or logged an error, loading a job conf, loading "
    "runner plugins or resolving a destination",
    "handler": "Galaxy made B a job handler or a workflow scheduler",
    "stranded": "B wrote a handler name that no mule of A has, or preassigns to other names "
    "than A's mules",
    "misrouted": "B wrote the name of a mule of A that does not serve the tool's handler",
    "tool-mapping": "B's job conf lost or changed a tool mapping of A's job conf",
    "mules": "B's uWSGI options hold mule, mules or farm lines",
    "job-conf": "B's job_config_file is A's job conf, or names no file",
    "config": "Galaxy finds no galaxy: section where a process's uWSGI options lead it",
    "farms": "Galaxy does not see a farm uWSGI runs for A (uWSGI 2.0 gives Python 3 only the last "
    "farm line in uwsgi.opt)",
    "unhandled": "a job A's own web worker creates reaches no mule of A that Galaxy made a "
    "handler for it",
}

STUBS = (
    "uwsgi module: stands in for the module uWSGI injects; opt as uWSGI 2.0 gives it to Python "
    "3 (the options read line by line, one bytes value per key: a repeated option keeps only "
    "its last value, unbit/uwsgi#1374, as seen with uWSGI 2.0.21 and 2.0.31; set: k=v also as "
    "k; yaml naming the file, first), numproc, mule_id(), worker_id(), masterpid(), workers(), "
    "lock(), unlock(), in_farm() (from uWSGI's own farm table, every farm line), farm_msg() "
    "(kept for the check to deliver)",
    "farm messages: a message A's web worker sends to a farm goes to a mule of that farm in "
    "uWSGI's table that Galaxy made a job handler reading farm messages for that farm; the "
    "first such mule gets it through Galaxy's own JobHandlerQueue message handler, and every "
    "such mule counts as one that may run the job",
    "uWSGI YAML reader (read_uwsgi_section): follows uWSGI's line-based reader, counting mule "
    "lines and mules: N, since PyYAML keeps only the last of repeated keys",
    "app: a plain object holding Galaxy's real stack, JobMetrics, model and JobConfiguration; "
    "is_job_handler as Galaxy's application defines it; execution_timer_factory.get_timer() "
    "returns Galaxy's StructuredExecutionTimer, as Galaxy's factory does without statsd (that "
    "factory lives in galaxy.app, which imports every subsystem)",
    "app config: only the settings these classes read, from the galaxy: section or else "
    "Galaxy's defaults (config_schema.yml); job_config_file resolved against config_dir as "
    "Galaxy's schema says; no workflow_schedulers_config_file or job_resource_params_file; "
    "resolve_path() returns its argument",
    "fork: the check runs every process in one Python process, so after each web worker's "
    "WorkflowSchedulingManager it resets UWSGIApplicationStack.postfork_functions and calls "
    "set_postfork_server_name() directly where uWSGI would fork and run them (a mule runs it "
    "at once, as Galaxy's register_postfork_function does for mules)",
    "JobManager.start(): a handler mule builds Galaxy's JobHandler (loading its runner plugins) "
    "without starting its threads",
    "tool: galaxy.tools.Tool made without its __init__ (which parses a tool XML and needs a "
    "toolbox), with id, app and job_tool_configurations set as Tool.__init__ sets them, so "
    "get_configured_job_handler() and get_job_destination() are Galaxy's own",
    "job params: a mapping with <param> is reached through Galaxy's Tool with the job's params "
    "decoded from JSON, where Galaxy 21.09's JobManager.enqueue cannot match them (it passes "
    "the stored string); the run says when that happens",
    "job wrapper: JobRunnerMapper reads only tool and job_id of a JobWrapper, so it is given an "
    "object with those",
)

# How many jobs B creates per tool mapping: preassignment picks a handler at random, so several
# jobs make it likely that every preassigned name is seen, while the name-set comparison covers
# the rest.
JOBS_PER_TAG = 8

# A tool id that no job conf maps, so its jobs take the default handler path.
UNMAPPED_TOOL_ID = "zergcfg_compat_unmapped_tool"

DEFAULT_TAG = "_default_"

# The uWSGI options that give B mules of its own.
MULE_OPTIONS = ("mule", "mules", "farm")


class InputError(Exception):
    """The files cannot be read at all (as opposed to files that fail the check): exit 2."""


class InternalError(Exception):
    """The check itself broke: a stub lacks what Galaxy asked for, or this module has a fault."""


class StubMissing(AttributeError):
    """Galaxy asked one of this module's stand-ins for something it does not provide.

    It is an AttributeError, so Galaxy's own ``getattr(obj, name, default)`` and ``hasattr``
    probes behave as they do on Galaxy's objects; one that escapes is an internal error.
    """


class GalaxyRejected(Exception):
    """Galaxy's own code raised on a file; carries the file, the step and Galaxy's words."""

    def __init__(self, path, step, message):
        super().__init__(message)
        self.path = path
        self.step = step
        self.message = message


class ErrorLog(logging.Handler):
    """Keeps the ERROR records Galaxy logs, since Galaxy logs some faults instead of raising."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def take(self):
        """The text of every record kept since the last call, which forgets them."""
        texts = []
        for record in self.records:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({exception_text(record.exc_info[1])})"
            texts.append(text)
        self.records = []
        return texts


ERROR_LOG = ErrorLog()

# Names of this module's stand-ins, as they appear in Python's AttributeError and TypeError
# messages about them.
STUB_NAMES = ("MinimalConfig", "MinimalApp", "TimerFactory", "StubJobWrapper", "module 'uwsgi'")


def exception_text(error):
    return f"{type(error).__name__}: {error}"


def exception_chain(error):
    """The exception and the ones it was raised from or while handling, outermost first."""
    chain = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def is_internal(error):
    """Whether an exception is this check's fault rather than Galaxy's verdict on a file.

    Anywhere in the chain: a ``StubMissing``, an AttributeError or TypeError naming one of the
    stand-ins, or an exception raised by a line of this module.
    """
    here = os.path.abspath(__file__)
    for link in exception_chain(error):
        if isinstance(link, StubMissing):
            return True
        if isinstance(link, (AttributeError, TypeError)) and any(
            name in str(link) for name in STUB_NAMES
        ):
            return True
        frames = traceback.extract_tb(link.__traceback__)
        if frames and os.path.abspath(frames[-1].filename) == here:
            return True
    return False


def galaxy_words(error):
    """Galaxy's exception as Galaxy worded it, with what it was raised from when that adds."""
    chain = exception_chain(error)
    text = exception_text(chain[0])
    for link in chain[1:]:
        if str(link) and str(link) not in text:
            text += f" (raised from {exception_text(link)})"
    return text


def galaxy_step(path, step, function, *args, **kwargs):
    """Run one step of Galaxy's own code on ``path``.

    An exception Galaxy raises becomes ``GalaxyRejected`` with Galaxy's words; one that is the
    check's own fault becomes ``InternalError``. Returns the step's result and the errors Galaxy
    logged during it.
    """
    ERROR_LOG.take()
    try:
        result = function(*args, **kwargs)
    except Exception as error:
        ERROR_LOG.take()
        if is_internal(error):
            raise InternalError(f"{step} with {path}: {exception_text(error)}") from error
        raise GalaxyRejected(path, step, galaxy_words(error)) from error
    return result, ERROR_LOG.take()


class Report:
    """What Galaxy did, printed as it happens, and every failure with its kind."""

    def __init__(self):
        self.failures = []
        self.unchecked = []
        self.logged_seen = set()

    def line(self, text):
        print(text, flush=True)

    def fail(self, kind, text):
        assert kind in FAILURE_KINDS, kind
        self.failures.append((kind, text))
        print(f"FAIL [{kind}]: {text}", flush=True)

    def not_checked(self, text):
        self.unchecked.append(text)
        print(f"NOT CHECKED: {text}", flush=True)

    def logged(self, path, step, texts):
        """Galaxy logged errors but went on: it would run, without what it complained of."""
        for text in texts:
            # Every process of a zergling loads the same conf; say each complaint once per file.
            if (path, text) in self.logged_seen:
                continue
            self.logged_seen.add((path, text))
            self.fail("rejected", f"Galaxy logged an error during {step} with {path}: {text}")

    def kinds(self):
        return sorted({kind for kind, _ in self.failures})


class Paths:
    """Maps the paths named inside the files to where they are on disk, under ``--root``."""

    def __init__(self, root):
        self.root = os.path.abspath(root) if root else None

    def on_disk(self, named):
        if self.root and os.path.isabs(named):
            return os.path.join(self.root, named.lstrip("/"))
        return named

    def named(self, on_disk):
        """The path the files would use for a file given on the command line."""
        path = os.path.abspath(on_disk)
        if self.root and (path + "/").startswith(self.root + "/"):
            return "/" + os.path.relpath(path, self.root)
        return path

    def same(self, a, b):
        return os.path.realpath(self.on_disk(a)) == os.path.realpath(self.on_disk(b))


def read_uwsgi_section(path):
    """Read the ``uwsgi:`` section line by line, keeping repeated keys in order.

    A stand-in for uWSGI's own line-based YAML reader (PyYAML would keep only the last ``mule:``
    and ``farm:`` line, which is not what uWSGI does): ``key: value`` lines indented under
    ``uwsgi:``, split at the first colon; an empty value or a list item ends the section, as it
    does in uWSGI.
    """
    options = []
    in_section = False
    try:
        handle = open(path, encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: {error.strerror}") from error
    with handle:
        for raw in handle:
            line = raw.rstrip("\r\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue

            # A line at column 0 opens (or closes) a top-level section.
            if not line[0].isspace():
                in_section = stripped.split(":", 1)[0].strip() == "uwsgi"
                continue
            if not in_section:
                continue

            if stripped.startswith("- ") or ":" not in stripped:
                break
            key, value = stripped.split(":", 1)
            value = value.strip()
            if not value:
                break
            options.append((key.strip(), value))
    return options


def read_galaxy_section(path):
    """Read the ``galaxy:`` section with PyYAML, as Galaxy itself does; None when there is none."""
    import yaml

    try:
        handle = open(path, encoding="utf-8")
    except OSError as error:
        raise InputError(f"{path}: {error.strerror}") from error
    with handle:
        try:
            document = yaml.safe_load(handle) or {}
        except yaml.YAMLError as error:
            raise InputError(f"{path}: Galaxy cannot read this YAML: {error}") from error
    if not isinstance(document, dict) or document.get("galaxy") is None:
        return None
    section = document["galaxy"]
    if not isinstance(section, dict):
        raise InputError(f"{path}: the galaxy: section is not a mapping")
    return section


def mule_count(options):
    """How many mules uWSGI starts: one per ``mule`` line plus N per ``mules: N``."""
    count = 0
    for key, value in options:
        if key == "mule":
            count += 1
        elif key == "mules":
            try:
                count += int(value)
            except ValueError as error:
                raise InputError(f"mules: {value!r} is not a number") from error
    return count


def uwsgi_opt(options, yaml_path):
    """Build ``uwsgi.opt`` as uWSGI 2.0 gives it to Python 3: one bytes value per option.

    uWSGI 2.0's Python plugin means to collect a repeated option into a list, but under Python 3
    it looks the key up as bytes in a dictionary keyed by str, never finds it, and stores each
    value over the last (unbit/uwsgi#1374, fixed after 2.0): a repeated option holds its last
    value only, at the place of its first, as seen with Debian's uWSGI 2.0.21 and PyPI's 2.0.31.
    ``yaml`` names the file uWSGI was started with, ahead of the file's own options;
    ``set: key=value`` also sets ``key``, which is how Galaxy finds ``galaxy_config_file``.
    """
    opt = {}
    for key, value in [("yaml", yaml_path)] + options:
        opt[key] = value.encode("utf-8")
        if key == "set" and "=" in value:
            name, setting = value.split("=", 1)
            opt[name.strip()] = setting.strip().encode("utf-8")
    return opt


def uwsgi_farms(options):
    """uWSGI's own farm table: every ``farm`` line as (name, mule ids), in order."""
    farms = []
    for key, value in options:
        if key != "farm":
            continue
        name, _, ids = value.partition(":")
        try:
            farms.append((name, [int(i) for i in ids.split(",")]))
        except ValueError as error:
            raise InputError(f"farm: {value!r} is not <name>:<id>[,<id>...]") from error
    return farms


class UwsgiInstance:
    """What one uWSGI instance shows its Python processes: ``uwsgi.opt`` and its farm table."""

    def __init__(self, options, yaml_path):
        self.opt = uwsgi_opt(options, yaml_path)
        self.farms = uwsgi_farms(options)

    def install(self):
        FAKE.opt = self.opt
        FAKE.farms = self.farms


def stub_mule_id():
    return FAKE.current_mule


def stub_worker_id():
    return FAKE.current_worker


def stub_masterpid():
    return os.getpid()


def stub_workers():
    return ()


def stub_lock(*args):
    return None


def stub_unlock(*args):
    return None


def stub_farm_msg(farm, message):
    """uWSGI queues the message for the mules of the farm; kept here for the check to deliver."""
    FAKE.farm_messages.append((farm, message))


def stub_in_farm(name=None):
    """Whether the current mule is in farm ``name`` (any farm without one) of uWSGI's own farm
    table, which holds every farm line, whatever ``uwsgi.opt`` shows Galaxy."""
    return any(
        FAKE.current_mule in mules for farm, mules in FAKE.farms if name is None or farm == name
    )


def stub_uwsgi_getattr(name):
    raise StubMissing(f"module 'uwsgi' stand-in has no attribute {name!r}")


def install_fake_uwsgi():
    """Put a stand-in ``uwsgi`` module where Galaxy's stack looks for it, before Galaxy loads.

    uWSGI injects that module into the Python it embeds; Galaxy's stack reads its options and
    process ids from it.
    """
    fake = types.ModuleType("uwsgi")
    fake.opt = {}
    fake.farms = []
    fake.farm_messages = []
    fake.numproc = 1
    fake.current_mule = 0
    fake.current_worker = 1
    fake.mule_id = stub_mule_id
    fake.worker_id = stub_worker_id
    fake.masterpid = stub_masterpid
    fake.workers = stub_workers
    fake.lock = stub_lock
    fake.unlock = stub_unlock
    fake.farm_msg = stub_farm_msg
    fake.in_farm = stub_in_farm
    # Anything else Galaxy asks of the module is reported as the stand-in's gap.
    fake.__getattr__ = stub_uwsgi_getattr
    sys.modules["uwsgi"] = fake
    return fake


FAKE = None


def galaxy_defaults():
    """Galaxy's defaults for its settings, from the config_schema.yml Galaxy reads them from."""
    import galaxy.config
    from galaxy.config.schema import AppSchema

    schema = os.path.join(os.path.dirname(galaxy.config.__file__), os.pardir, "config_schema.yml")
    return AppSchema(schema, "galaxy")


def setting(schema, section, key):
    """A setting as Galaxy holds it: the galaxy: section's value converted to the schema's type,
    else the schema's default."""
    from galaxy.util import string_as_bool

    if key not in schema.app_schema:
        raise InternalError(f"Galaxy's config schema has no setting {key!r}")
    if key not in section:
        return schema.defaults.get(key)
    value = section[key]
    kind = schema.app_schema[key].get("type")
    converters = {"bool": string_as_bool, "int": int, "float": float, "str": str}
    if value is not None and kind in converters:
        value = converters[kind](value)
    return value


def resolve_job_config_file(section, config_file):
    """Where Galaxy looks for the job conf: ``job_config_file`` (default ``job_conf.xml``)
    joined to ``config_dir``, which defaults to the directory of the Galaxy config file
    (config_schema.yml: ``path_resolves_to: config_dir``)."""
    value = str(section.get("job_config_file") or "job_conf.xml")
    config_dir = str(section.get("config_dir") or os.path.dirname(config_file))
    return os.path.normpath(os.path.join(config_dir, value))


class MinimalConfig:
    """The few Galaxy settings that the job, stack, runner and workflow classes read.

    Values come from the galaxy: section, else Galaxy's schema defaults; ``server_name`` and
    ``redact_email_in_job_name`` as GalaxyAppConfiguration derives them.
    """

    SCHEMA_SETTINGS = (
        "track_jobs_in_database",
        "use_tasked_jobs",
        "local_task_queue_workers",
        "default_job_resubmission_condition",
        "parallelize_workflow_scheduling_within_histories",
        "history_local_serial_workflow_scheduling",
        "user_activation_on",
        "monitor_thread_join_timeout",
    )

    def __init__(self, schema, section, job_config_file, scratch):
        for key in self.SCHEMA_SETTINGS:
            setattr(self, key, setting(schema, section, key))
        self.server_name = str(section.get("server_name", "main"))
        self.base_server_name = self.server_name
        self.redact_email_in_job_name = bool(setting(schema, section, "enable_beta_gdpr"))
        self.job_config_file = job_config_file
        self.config_dict = {"base_server_name": self.server_name}
        # Neither file exists, so Galaxy takes its default workflow scheduler and no job
        # resource parameters; a galaxy.yml that sets either is reported as not checked.
        self.job_resource_params_file = os.path.join(scratch, "job_resource_params_conf.xml")
        self.workflow_schedulers_config_file = os.path.join(scratch, "workflow_schedulers_conf.xml")

    def __getattr__(self, name):
        raise StubMissing(f"MinimalConfig has no setting {name!r} (Galaxy asked for it)")

    def get(self, key, default=None):
        return self.config_dict.get(key, default)

    def is_set(self, key):
        return False

    def resolve_path(self, path):
        return path


class MinimalApp:
    """Holds Galaxy's real components; ``is_job_handler`` is Galaxy's application definition."""

    def __init__(self, config, model):
        self.config = config
        self.model = model
        self.execution_timer_factory = TimerFactory()

    def __getattr__(self, name):
        raise StubMissing(f"MinimalApp has no attribute {name!r} (Galaxy asked for it)")

    @property
    def is_job_handler(self):
        return (
            self.config.track_jobs_in_database and self.job_config.is_handler
        ) or not self.config.track_jobs_in_database


class TimerFactory:
    """Hands out Galaxy's StructuredExecutionTimer, as Galaxy's factory does when statsd is off."""

    def get_timer(self, *args, **kwargs):
        from galaxy.util import StructuredExecutionTimer

        return StructuredExecutionTimer(*args, **kwargs)


class StubJobWrapper:
    """What Galaxy's JobRunnerMapper reads of a JobWrapper: the job's tool and id.

    A real JobWrapper needs a stored job with inputs, outputs and a working directory.
    """

    def __init__(self, tool, job_id):
        self.tool = tool
        self.job_id = job_id


def galaxy_tool(app, tool_id, tool_classes=()):
    """Galaxy's own Tool class with just what its job-configuration methods read.

    ``Tool.__init__`` parses a tool XML and needs a toolbox; it picks the tool's job
    configurations with ``job_config.get_job_tool_configurations(ids, tool_classes)``, which is
    what is done here, so ``get_configured_job_handler`` and ``get_job_destination`` run as is.
    """
    from galaxy.tools import Tool

    tool = Tool.__new__(Tool)
    tool.app = app
    tool.id = tool_id
    tool.old_id = tool_id
    tool.job_tool_configurations = app.job_config.get_job_tool_configurations(
        [tool_id.lower()], list(tool_classes)
    )
    return tool


class DecodedParamsTool:
    """A Galaxy Tool whose handler choice gets the job's params decoded from JSON.

    Galaxy 21.09's ``JobManager.enqueue`` hands ``Tool.get_configured_job_handler`` the job's
    params as stored (a JSON string), which Galaxy's Tool cannot match against ``<param>``
    mappings; the handler side decodes them (``JobWrapper.params``). Used only after Galaxy's
    own path raised, and said so in the run.
    """

    def __init__(self, tool):
        self.tool = tool
        self.id = tool.id

    def get_configured_job_handler(self, job_params=None):
        decoded = json.loads(job_params) if job_params else None
        return self.tool.get_configured_job_handler(decoded)


class Process:
    """One Galaxy process (a web worker or a mule) loaded the way Galaxy loads it under uWSGI."""

    def __init__(self, label, uwsgi, schema, section, job_conf, model, scratch, mule_id, worker_id):
        from galaxy.job_metrics import JobMetrics
        from galaxy.jobs import JobConfiguration
        from galaxy.web_stack import UWSGIApplicationStack, application_stack_instance
        from galaxy.workflow.scheduling_manager import WorkflowSchedulingManager

        uwsgi.install()
        FAKE.current_mule = mule_id
        FAKE.current_worker = worker_id
        self.label = label
        self.job_conf = job_conf
        self.is_mule = mule_id > 0
        self.mule_id = mule_id
        self.runners = None
        self.dispatcher = None
        self.handler = None
        self.logged = []

        self.app = MinimalApp(MinimalConfig(schema, section, job_conf, scratch), model)
        self.app.application_stack = application_stack_instance(app=self.app)
        if not isinstance(self.app.application_stack, UWSGIApplicationStack):
            raise InternalError("Galaxy did not pick its uWSGI application stack")
        self.app.job_metrics = JobMetrics()

        self.app.job_config, logged = galaxy_step(
            job_conf, f"{label}: JobConfiguration", JobConfiguration, self.app
        )
        self.logged.append((f"{label}: JobConfiguration", logged))

        if self.is_mule:
            # Galaxy runs a mule's postfork functions as they are registered: the rename comes
            # right after the job conf, then the job manager starts, then workflow scheduling.
            self.app.application_stack.set_postfork_server_name(self.app)
            self._start_job_manager()
            self.workflows, logged = galaxy_step(
                job_conf, f"{label}: WorkflowSchedulingManager", WorkflowSchedulingManager, self.app
            )
            self.logged.append((f"{label}: WorkflowSchedulingManager", logged))
        else:
            # A web worker builds workflow scheduling before the fork, then runs the postfork
            # functions: the rename first, then the job manager's start.
            self.workflows, logged = galaxy_step(
                job_conf, f"{label}: WorkflowSchedulingManager", WorkflowSchedulingManager, self.app
            )
            self.logged.append((f"{label}: WorkflowSchedulingManager", logged))
            # The postfork functions a web worker registers would run after a fork that never
            # comes here; dropping them keeps one process's registrations from piling up under
            # the next, and the rename is called directly.
            UWSGIApplicationStack.postfork_functions = []
            self.app.application_stack.set_postfork_server_name(self.app)
            self._start_job_manager()
        self.workflow_scheduler = bool(self.workflows._is_workflow_handler())

        self.server_name = self.app.config.server_name
        # The farm Galaxy takes this mule for (uwsgi.mule_id() is this mule's only now), and
        # whether its stack reads farm messages once started.
        stack = self.app.application_stack
        self.galaxy_farm = stack._farm_name if self.is_mule else None
        self.use_messaging = bool(stack.use_messaging)
        self.job_handler = bool(self.app.is_job_handler)
        self.methods = list(self.app.job_config.handler_assignment_methods)

        from galaxy.jobs.handler import ItemGrabber

        # A handler whose methods include a DB serialization method also takes jobs whose handler
        # column holds one of its tags; Galaxy's job queue decides this the same way.
        self.grab_method = ItemGrabber.get_grabbable_handler_assignment_method(self.methods)

    def _start_job_manager(self):
        """What ``JobManager.start()`` does in a handler: build the JobHandler, whose dispatcher
        loads the runner plugins this handler is configured with (threads are not started)."""
        from galaxy.jobs.handler import JobHandler

        if not self.app.is_job_handler:
            return
        step = f"{self.label} ({self.app.config.server_name}): loading job runner plugins"
        handler, logged = galaxy_step(self.job_conf, step, JobHandler, self.app)
        self.logged.append((step, logged))
        self.handler = handler
        self.dispatcher = handler.dispatcher
        self.runners = dict(handler.dispatcher.job_runners)

    def close(self):
        """Stop what Galaxy started for this process (a mule starts its workflow monitor)."""
        monitor = self.workflows.request_monitor
        if monitor is not None and not monitor.monitor_thread.is_alive():
            # A web worker only registers its monitor to start after the fork, which never comes.
            return
        self.workflows.shutdown()

    def tag_pools(self):
        """Galaxy's handler lists per tag (ids and tags share one dict; tags hold lists)."""
        handlers = self.app.job_config.handlers
        return {tag: list(handlers[tag]) for tag in self.app.job_config.handler_tags}

    def self_tags(self):
        return list(self.app.job_config.self_handler_tags)


def open_model(scratch):
    """Galaxy's real model mapping on a fresh SQLite file."""
    from galaxy.model import mapping

    url = "sqlite:///" + os.path.join(scratch, "galaxy.sqlite")
    return mapping.init(os.path.join(scratch, "files"), url, create_tables=True)


def stored_handler(model, table, row_id):
    """The handler column as the database holds it, read with a fresh statement."""
    from sqlalchemy import select

    model.context.expire_all()
    column = table.c.handler
    return model.context.execute(select([column]).where(table.c.id == row_id)).scalar()


def describe_names(names):
    return ", ".join(sorted(names)) if names else "none"


def grab_note(grabs, held):
    """Say when A's mules would still take a value by tag, which is not the same as pinning."""
    if held in grabs:
        return (
            f"; A's mules {describe_names(grabs[held])} would take it as tag {held!r}, but so"
            " would any other handler that serves that tag, B included while it runs"
        )
    return ""


def mapping_key(conf):
    """What a tool mapping says, comparable between two job confs."""
    params = tuple(sorted((str(k), str(v)) for k, v in (conf.params or {}).items()))
    return (conf.get("handler"), conf.get("destination"), conf.get("resources"), params)


def describe_mapping(key):
    handler, destination, resources, params = key
    parts = [f"handler={handler!r}", f"destination={destination!r}"]
    if resources:
        parts.append(f"resources={resources!r}")
    if params:
        parts.append("params " + ", ".join(f"{k}={v}" for k, v in params))
    return " ".join(parts)


class Side:
    """The files one zergling runs with: uWSGI options, Galaxy settings, job conf."""

    def __init__(self, name):
        self.name = name
        self.uwsgi_file = None
        self.options = []
        self.settings_file = None
        self.settings = {}
        self.job_conf = None
        self.uwsgi = None


def find_settings(report, paths, side):
    """Which file Galaxy reads its settings from under these uWSGI options, with Galaxy's own
    ``get_app_kwds``, and that file's galaxy: section."""
    from galaxy.web_stack import UWSGIApplicationStack

    UwsgiInstance(side.options, paths.named(side.uwsgi_file)).install()
    kwds = UWSGIApplicationStack.get_app_kwds("galaxy")
    named = kwds.get("config_file")
    if not named:
        report.fail("config", f"Galaxy finds no Galaxy config file from {side.uwsgi_file}")
        return
    side.settings_file = paths.on_disk(named)
    section = read_galaxy_section(side.settings_file)
    if section is None:
        report.fail(
            "config",
            f"Galaxy reads {side.name}'s settings from {side.settings_file} (found from "
            f"{side.uwsgi_file}), which has no galaxy: section: Galaxy would run with its "
            "defaults",
        )
        section = {}
    side.settings = section


def load_sides(args, report, paths):
    """Read A's and B's uWSGI options, Galaxy settings and job confs from the given files."""
    a = Side("A")
    a.uwsgi_file = args.zergling_yml or args.galaxy_yml
    a.options = read_uwsgi_section(a.uwsgi_file)
    find_settings(report, paths, a)
    if a.settings_file and not paths.same(
        paths.named(a.settings_file), paths.named(args.galaxy_yml)
    ):
        report.fail(
            "config",
            f"Galaxy reads A's settings from {a.settings_file} (found from {a.uwsgi_file}), "
            f"not from {args.galaxy_yml}",
        )
    a.job_conf = args.job_conf or paths.on_disk(
        resolve_job_config_file(a.settings, paths.named(a.settings_file or args.galaxy_yml))
    )

    b = Side("B")
    if args.restarter_yml:
        b.uwsgi_file = args.restarter_yml
        b.options = read_uwsgi_section(b.uwsgi_file)
        find_settings(report, paths, b)
    else:
        # B as zergcfg makes it: A's uwsgi: section less every mule, mules and farm line.
        b.uwsgi_file = args.galaxy_yml
        b.options = [
            (k, v) for k, v in read_uwsgi_section(args.galaxy_yml) if k not in MULE_OPTIONS
        ]
        b.settings_file = args.galaxy_yml
        b.settings = read_galaxy_section(args.galaxy_yml) or {}
    if args.restarter_job_conf:
        b.job_conf = args.restarter_job_conf
    else:
        b.job_conf = paths.on_disk(
            resolve_job_config_file(b.settings, paths.named(b.settings_file or b.uwsgi_file))
        )
    return a, b


def check_layout(report, paths, a, b):
    """The restarter's own uWSGI options and job conf: no mules, not A's job conf."""
    mule_lines = [f"{k}: {v}" for k, v in b.options if k in MULE_OPTIONS]
    if mule_lines:
        report.fail(
            "mules",
            f"{b.uwsgi_file} gives B {'; '.join(mule_lines)}: B's mules would run under A's "
            "handler names while A runs, two processes for one name",
        )
    if paths.same(paths.named(b.job_conf), paths.named(a.job_conf)):
        report.fail(
            "job-conf",
            f"B's job_config_file (from {b.settings_file}) is A's job conf {a.job_conf}: B loads "
            "the main job conf, not a restarter conf",
        )
    if not os.path.isfile(b.job_conf):
        report.fail(
            "job-conf",
            f"B's job conf {b.job_conf} (from {b.settings_file}) does not exist: Galaxy logs a "
            "warning and falls back to its default job configuration",
        )
    for side in (a, b):
        if "job_config" in side.settings:
            report.not_checked(
                f"{side.settings_file} has an inline job_config:, which Galaxy 21.09 uses in "
                f"place of job_config_file; this check loads job_config_file ({side.job_conf}) "
                "only"
            )
        if side.settings.get("workflow_schedulers_config_file"):
            report.not_checked(
                f"{side.settings_file} sets workflow_schedulers_config_file; this check runs "
                "Galaxy's default workflow scheduler, so that file's handlers are not checked"
            )


def check_a(report, paths, a, schema, model, scratch):
    """Load every mule of A, then A's web worker 1; return the mules and the web worker."""
    uwsgi_a = a.uwsgi = UwsgiInstance(a.options, paths.named(a.uwsgi_file))
    count = mule_count(a.options)
    farms = [value for key, value in a.options if key == "farm"]
    report.line(f"A's uwsgi lines: {count} mule(s), farm " + ("; ".join(farms) or "none"))
    check_farms(report, a, uwsgi_a)

    mules = []
    report.line("A, one Galaxy process per mule:")
    for mule_id in range(1, count + 1):
        mule = Process(
            f"A's mule {mule_id}", uwsgi_a, schema, a.settings, a.job_conf, model, scratch,
            mule_id, 0,
        )
        mule.close()
        for step, logged in mule.logged:
            report.logged(a.job_conf, step, logged)
        grabs = f", grabs tags by {mule.grab_method}" if mule.grab_method else ""
        runners = (
            f", runner plugins {', '.join(sorted(mule.runners)) or 'none'}"
            if mule.runners is not None
            else ""
        )
        report.line(
            f"  mule {mule_id}: server_name {mule.server_name}, job handler "
            f"{'yes' if mule.job_handler else 'no'}, tags {', '.join(mule.self_tags())}"
            f"{grabs}{runners}"
        )
        mules.append(mule)

    web = Process("A's web worker 1", uwsgi_a, schema, a.settings, a.job_conf, model, scratch, 0, 1)
    web.close()
    for step, logged in web.logged:
        report.logged(a.job_conf, step, logged)
    report.line(
        f"  web worker 1: assignment {', '.join(web.methods)}; pools "
        + "; ".join(f"{t}: {', '.join(h)}" for t, h in sorted(web.tag_pools().items()))
    )
    return mules, web


def check_farms(report, a, uwsgi_a):
    """The farms Galaxy's stack reads from ``uwsgi.opt`` must be the farms uWSGI runs."""
    from galaxy.web_stack import UWSGIApplicationStack

    uwsgi_a.install()
    FAKE.current_mule = 0
    seen = dict(UWSGIApplicationStack().configured_pools)
    report.line(
        "  farms Galaxy reads from uwsgi.opt: "
        + ("; ".join(f"{n}:{','.join(map(str, m))}" for n, m in seen.items()) or "none")
    )
    for name, mules in uwsgi_a.farms:
        if seen.get(name) == mules:
            continue
        report.fail(
            "farms",
            f"{a.uwsgi_file}: uWSGI runs farm {name}:{','.join(map(str, mules))}, which Galaxy "
            f"does not see (it reads farm {uwsgi_a.opt.get('farm', b'').decode()!r} from "
            "uwsgi.opt, where uWSGI 2.0 under Python 3 keeps the last farm line only): Galaxy "
            f"does not make mules {', '.join(map(str, mules))} handlers of that farm",
        )


class MuleNames:
    """A's handler mules by the name and tags Galaxy gave them."""

    def __init__(self, mules):
        self.handlers = [m for m in mules if m.job_handler]
        self.by_tag = {}
        self.grabs = {}
        for mule in self.handlers:
            for tag in mule.self_tags():
                self.by_tag.setdefault(tag, set()).add(mule.server_name)
                if mule.grab_method:
                    self.grabs.setdefault(tag, set()).add(mule.server_name)
        self.all = {m.server_name for m in self.handlers}

    def serving(self, handler):
        """The names of A's mules that take jobs configured for a handler tag or id."""
        if handler is None:
            handler = DEFAULT_TAG
        if handler in self.all:
            return {handler}
        return set(self.by_tag.get(handler, ()))

    def mules_serving(self, handler):
        names = self.serving(handler)
        return [m for m in self.handlers if m.server_name in names]


def tool_mappings(job_config):
    """Every tool mapping of a job conf: (label, tool id, tool classes, mapping), by id and by
    class, in the conf's order per tool."""
    mappings = []
    for tool_id, confs in sorted(job_config.tools.items()):
        for conf in confs:
            mappings.append((f"tool {tool_id}", tool_id, (), conf))
    for tool_class, confs in sorted(job_config.tool_classes.items()):
        for conf in confs:
            tool_id = f"zergcfg_compat_{tool_class}_class_tool"
            mappings.append(
                (f"tool class {tool_class} (as {tool_id})", tool_id, (tool_class,), conf)
            )
    return mappings


def check_destinations(report, names, web_a, a_job_conf):
    """Every destination and tool mapping of A's job conf resolved the way A's handlers would."""
    from galaxy.jobs.handler import DEFAULT_JOB_PUT_FAILURE_MESSAGE
    from galaxy.jobs.mapper import JobRunnerMapper

    job_config = web_a.app.job_config
    if not names.handlers:
        return

    def runnable(mule, destination, what=None):
        """DefaultJobDispatcher.put() looks the destination's runner up among the plugins."""
        runner = destination.runner
        if runner == "dynamic":
            report.not_checked(
                f"{what or 'a job'} goes to dynamic destination {destination.id!r} in "
                f"{a_job_conf}: its rule runs per job"
            )
            return
        if runner not in mule.runners:
            if what:
                where = f"{what} goes to destination {destination.id!r}, whose runner {runner!r} is"
            else:
                where = f"destination {destination.id!r} names runner {runner!r}, which is"
            report.fail(
                "rejected",
                f"{a_job_conf}: {where} not among the runner plugins A's mule "
                f"{mule.server_name} loaded "
                f"({', '.join(sorted(mule.runners)) or 'none'}); Galaxy's dispatcher logs "
                f"'Invalid job runner: {runner}' and fails the job with "
                f'"{DEFAULT_JOB_PUT_FAILURE_MESSAGE}"',
            )

    # Every destination by id: some mule of A must be able to run it.
    for destination_id, members in sorted(job_config.destinations.items()):
        if not job_config.is_id(members):
            continue
        destination = job_config.get_destination(destination_id)
        if destination.runner != "dynamic" and not any(
            destination.runner in m.runners for m in names.handlers
        ):
            runnable(names.handlers[0], destination)
    report.line(
        "  destinations: "
        + ", ".join(
            f"{d} (runner {job_config.get_destination(d).runner})"
            for d, members in sorted(job_config.destinations.items())
            if job_config.is_id(members)
        )
        + f"; default {job_config.default_destination_id}"
    )

    # Each tool mapping, and an unmapped tool, resolved by every mule that would run it.
    cases = [("unmapped tool", UNMAPPED_TOOL_ID, (), None)] + tool_mappings(job_config)
    for label, tool_id, classes, conf in cases:
        params = dict(conf.params) if conf is not None and conf.params else None
        handler = conf.get("handler") if conf is not None else None
        what = f"{label}" + (f" with params {params}" if params else "")
        resolved = []
        serving = names.mules_serving(handler or job_config.default_handler_id)
        if not serving:
            report.line(f"  {what}: no mule of A serves handler {handler!r}")
        for mule in serving:
            tool = galaxy_tool(mule.app, tool_id, classes)
            mapper = JobRunnerMapper(
                StubJobWrapper(tool, 0), mule.dispatcher.url_to_destination, mule.app.job_config
            )
            try:
                destination, logged = galaxy_step(
                    a_job_conf,
                    f"A's mule {mule.server_name}: JobRunnerMapper for {what}",
                    mapper.get_job_destination,
                    params,
                )
            except GalaxyRejected as rejected:
                report.fail(
                    "rejected",
                    f"{a_job_conf}: A's mule {mule.server_name} cannot find the destination of "
                    f"{what}: Galaxy's JobRunnerMapper raised {rejected.message}",
                )
                continue
            report.logged(a_job_conf, f"JobRunnerMapper for {what}", logged)
            resolved.append(f"{destination.id} (runner {destination.runner}) on {mule.server_name}")
            runnable(mule, destination, what)
        if resolved:
            report.line(f"  A maps {what} to " + ", ".join(resolved))


def deliver(report, names, farms, messages, job_id):
    """Where A's farm messages about a job go: uWSGI queues each for the mules of the farm it
    names, as uWSGI's own farm table lists them; a mule reads them if Galaxy made it a job
    handler that uses farm messaging and takes that farm for its own. The first such mule gets
    the message through Galaxy's own JobHandlerQueue message handler. Returns the names of the
    mules that may get it, and what happened."""
    from galaxy.util import unicodify
    from galaxy.web_stack.message import decode

    takers = set()
    said = []
    for farm, encoded in messages:
        message = decode(unicodify(encoded))
        if message.target != "job_handler" or message.params.get("job_id") != job_id:
            continue
        members = dict(farms).get(farm, [])
        readers = [
            m
            for m in names.handlers
            if m.mule_id in members and m.use_messaging and m.galaxy_farm == farm
        ]
        takers |= {m.server_name for m in readers}
        if readers:
            reader = readers[0]
            message.bind_default_handler(reader.handler.job_queue, "_handle_message")
            step = f"A's mule {reader.server_name}: a farm message for job {job_id}"
            _, logged = galaxy_step(
                reader.job_conf, step, reader.handler.job_queue._handle_message, message
            )
            report.logged(reader.job_conf, step, logged)
        said.append(
            f"farm message to {farm} (mules {', '.join(map(str, members)) or 'none'}), read by "
            + describe_names({m.server_name for m in readers})
        )
    return takers, "; ".join(said)


def check_a_jobs(report, web_a, names, a):
    """Jobs created in A's web worker, as A's JobManager assigns them, must reach a mule of A
    that Galaxy made a handler of the tool's handler: by its name in job.handler, by a tag in
    job.handler that such a mule grabs, or by a farm message such a mule reads."""
    from galaxy import model as galaxy_model
    from galaxy.jobs.manager import JobManager

    config = web_a.app.job_config
    manager = JobManager(web_a.app)
    session = web_a.app.model.context
    cases = [(f"tool {UNMAPPED_TOOL_ID} (no handler mapping)", UNMAPPED_TOOL_ID, (), None)]
    cases += tool_mappings(config)
    report.line("A, jobs its web worker 1 creates:")
    for label, tool_id, classes, conf in cases:
        handler = conf.get("handler") if conf is not None else None
        params = dict(conf.params) if conf is not None and conf.params else None
        what = label + (f" with params {params}" if params else "")
        expect = names.serving(handler or config.default_handler_id)
        tool = galaxy_tool(web_a.app, tool_id, classes)
        if params:
            # Galaxy 21.09's JobManager.enqueue cannot match <param> mappings (see enqueue_jobs).
            tool = DecodedParamsTool(tool)

        a.uwsgi.install()
        FAKE.current_mule = 0
        FAKE.current_worker = 1
        FAKE.farm_messages = []
        job = new_job(session, tool_id, params)
        step = f"A's web worker 1: JobManager.enqueue for {what}"
        try:
            _, logged = galaxy_step(a.job_conf, step, manager.enqueue, job, tool)
        except GalaxyRejected as rejected:
            session.rollback()
            report.fail(
                "unhandled",
                f"A's web worker cannot assign a handler to a job of {what} with {a.job_conf}: "
                f"Galaxy said {rejected.message}",
            )
            continue
        report.logged(a.job_conf, step, logged)

        held = stored_handler(web_a.app.model, galaxy_model.Job.table, job.id)
        if held is None:
            takers, how = deliver(report, names, a.uwsgi.farms, FAKE.farm_messages, job.id)
            how = how or "no handler and no farm message"
            held = stored_handler(web_a.app.model, galaxy_model.Job.table, job.id)
            if held is not None:
                how += f"; job.handler then {held!r}"
        elif held in names.all:
            takers, how = {held}, f"job.handler {held!r}"
        else:
            takers = set(names.grabs.get(held, ()))
            how = f"job.handler {held!r}, a tag grabbed by {describe_names(takers)}"
        report.line(f"  {what}: {how}")
        if not takers:
            report.fail(
                "unhandled",
                f"A's web worker gives a job of {what} to no mule of A ({how}) with {a.job_conf}: "
                f"it waits for ever (A's mules for it: {describe_names(expect)})",
            )
        elif not takers <= expect:
            report.fail(
                "unhandled",
                f"A's web worker gives a job of {what} to {describe_names(takers)} ({how}) with "
                f"{a.job_conf}, but A's mules for it are {describe_names(expect)}",
            )


def check_b(report, paths, b, names, schema, model, scratch):
    """Load B's web worker 1 (and any mule B has); return it."""
    uwsgi_b = UwsgiInstance(b.options, paths.named(b.uwsgi_file))
    for mule_id in range(1, mule_count(b.options) + 1):
        mule = Process(
            f"B's mule {mule_id}", uwsgi_b, schema, b.settings, b.job_conf, model, scratch,
            mule_id, 0,
        )
        mule.close()
        twin = " (the name of one of A's mules)" if mule.server_name in names.all else ""
        report.fail(
            "mules",
            f"Galaxy names B's mule {mule_id} (from {b.uwsgi_file}) {mule.server_name}{twin}, "
            f"job handler {'yes' if mule.job_handler else 'no'}",
        )

    proc = Process(
        "B's web worker 1", uwsgi_b, schema, b.settings, b.job_conf, model, scratch, 0, 1
    )
    for step, logged in proc.logged:
        report.logged(b.job_conf, step, logged)
    pools = proc.tag_pools()
    report.line(f"B, web worker 1 (server_name {proc.server_name}):")
    report.line(f"  assignment methods: {', '.join(proc.methods)}")
    pools_text = "; ".join(
        f"{tag}: {', '.join(repr(h) for h in members)}" for tag, members in sorted(pools.items())
    )
    report.line(f"  preassign pools: {pools_text or 'none'}")
    report.line(
        f"  job handler: {'yes' if proc.job_handler else 'no'}; workflow scheduler: "
        f"{'yes' if proc.workflow_scheduler else 'no'}"
    )
    if proc.job_handler:
        report.fail(
            "handler",
            f"Galaxy made B ({proc.server_name}) a job handler with {b.job_conf} (assignment "
            f"{', '.join(proc.methods)}): B's web workers would run jobs under their own names, "
            "which nobody owns once B exits",
        )
    if proc.workflow_scheduler:
        report.fail(
            "handler", f"Galaxy made B ({proc.server_name}) a workflow scheduler with {b.job_conf}"
        )

    # The names B preassigns to must be exactly A's mule names, tag by tag.
    for tag in sorted(set(names.by_tag) | set(pools)):
        want = names.by_tag.get(tag, set())
        got = set(pools.get(tag, ()))
        if want != got:
            report.fail(
                "stranded",
                f"{b.job_conf} preassigns tag '{tag}' to "
                f"{describe_names([repr(n) for n in got])} but A's mules for that tag are "
                f"{describe_names(want)}",
            )
    return proc


def check_tool_mappings(report, a_config, b_config, a_job_conf, b_job_conf):
    """B's job conf must map every tool (by id and by class) as A's does."""
    for attribute, what in (("tools", "tool"), ("tool_classes", "tool class")):
        a_maps = getattr(a_config, attribute)
        b_maps = getattr(b_config, attribute)
        for name in sorted(set(a_maps) | set(b_maps)):
            want = [mapping_key(c) for c in a_maps.get(name, [])]
            got = [mapping_key(c) for c in b_maps.get(name, [])]
            if want == got:
                continue
            if not got:
                change = "has no mapping for it"
            elif not want:
                change = "maps it (" + "; ".join(describe_mapping(k) for k in got) + ")"
            else:
                change = "maps it " + "; ".join(describe_mapping(k) for k in got)
            report.fail(
                "tool-mapping",
                f"{a_job_conf} maps {what} {name} "
                + ("; ".join(describe_mapping(k) for k in want) or "nowhere")
                + f", but {b_job_conf} {change}",
            )


def new_job(session, tool_id, params):
    """A new job of a tool, added to the session, its params stored as Galaxy's tool actions
    store them (JSON)."""
    from galaxy import model as galaxy_model

    job = galaxy_model.Job()
    job.tool_id = tool_id
    job.state = galaxy_model.Job.states.NEW
    if params:
        job.params = json.dumps(params)
    session.add(job)
    return job


def enqueue_jobs(report, manager, b_job_conf, tool, tool_id, label, params, expect, grabs):
    """Create jobs of a tool in B as B's JobManager does and check the handler each gets."""
    from galaxy import model as galaxy_model

    model = manager.app.model
    session = model.context
    seen = {}
    decoded = False
    for _ in range(JOBS_PER_TAG):
        job = new_job(session, tool_id, params)
        step = f"B: JobManager.enqueue for {label}"
        try:
            _, logged = galaxy_step(b_job_conf, step, manager.enqueue, job, tool)
        except GalaxyRejected as rejected:
            session.rollback()
            if params and not decoded and isinstance(rejected.__cause__, AttributeError):
                report.not_checked(
                    f"{label} as Galaxy runs it: Galaxy 21.09's JobManager.enqueue raised "
                    f"{rejected.message} for a job with these params (it hands the Tool the "
                    "params as stored, a JSON string), in A as in B; checked with the params "
                    "decoded instead"
                )
                tool = DecodedParamsTool(tool)
                decoded = True
                continue
            report.fail(
                "stranded",
                f"B could not create a job of {label} with {b_job_conf}: Galaxy said "
                f"{rejected.message}",
            )
            return
        report.logged(b_job_conf, step, logged)
        held = stored_handler(model, galaxy_model.Job.table, job.id)
        seen.setdefault(held, job.id)
    report.line(
        f"  {label}: job.handler "
        + (", ".join(f"{h!r} (job {i})" for h, i in seen.items()) or "none")
    )
    for held, job_id in seen.items():
        if held in expect:
            continue
        if held in grabs.get("all", ()):
            report.fail(
                "misrouted",
                f"B wrote handler {held!r} for job {job_id} of {label} with {b_job_conf}: that "
                f"mule of A does not serve it (A's mules for it: {describe_names(expect)})",
            )
        else:
            report.fail(
                "stranded",
                f"B wrote handler {held!r} for job {job_id} of {label} with {b_job_conf}: no mule "
                f"of A is named {held!r} (A's mules for it: {describe_names(expect)})"
                + grab_note(grabs, held),
            )


def check_jobs(report, b_proc, web_a, names, b_job_conf, a_job_conf):
    """Jobs and a workflow invocation created in B, and the handler the database then holds."""
    from galaxy import model as galaxy_model
    from galaxy.jobs.manager import JobManager

    manager = JobManager(b_proc.app)
    grabs = dict(names.grabs)
    grabs["all"] = names.all

    # An unmapped tool: A's default handlers.
    tool = galaxy_tool(b_proc.app, UNMAPPED_TOOL_ID)
    enqueue_jobs(
        report,
        manager,
        b_job_conf,
        tool,
        UNMAPPED_TOOL_ID,
        f"tool {UNMAPPED_TOOL_ID} (no handler mapping)",
        None,
        names.serving(web_a.app.job_config.default_handler_id),
        grabs,
    )

    # Every tool mapping of A's job conf (the source of truth), by id and by class.
    for label, tool_id, classes, conf in tool_mappings(web_a.app.job_config):
        handler = conf.get("handler")
        params = dict(conf.params) if conf.params else None
        what = label + (f" with params {params}" if params else "")
        what += f" (handler {handler!r} in {a_job_conf})" if handler else " (no handler)"
        expect = names.serving(handler or web_a.app.job_config.default_handler_id)
        tool = galaxy_tool(b_proc.app, tool_id, classes)
        enqueue_jobs(report, manager, b_job_conf, tool, tool_id, what, params, expect, grabs)

    # A workflow invocation queued in B follows the same assignment.
    session = b_proc.app.model.context
    history = galaxy_model.History(name="zergcfg compat")
    session.add(history)
    session.flush()
    workflow = galaxy_model.Workflow()
    workflow.name = "zergcfg compat"
    invocation = galaxy_model.WorkflowInvocation()
    invocation.history = history
    invocation.workflow = workflow
    expect = names.serving(DEFAULT_TAG)
    try:
        galaxy_step(
            b_job_conf, "B: queueing a workflow invocation", b_proc.workflows.queue, invocation, {}
        )
    except GalaxyRejected as rejected:
        report.fail(
            "stranded",
            f"B could not queue a workflow invocation with {b_job_conf}: {rejected.message}",
        )
        return
    held = stored_handler(b_proc.app.model, galaxy_model.WorkflowInvocation.table, invocation.id)
    report.line(f"  workflow invocation {invocation.id}: handler {held!r}")
    if held not in expect:
        report.fail(
            "stranded",
            f"B wrote handler {held!r} for workflow invocation {invocation.id} with {b_job_conf}: "
            f"no untagged mule of A is named {held!r} (A's handlers: {describe_names(expect)})"
            + grab_note(names.grabs, held),
        )


def check(args, report, paths, files):
    """Run every check, printing what Galaxy did and reporting each problem."""
    a, b = load_sides(args, report, paths)
    files.update(
        {
            "A's uWSGI options": a.uwsgi_file,
            "A's Galaxy settings": a.settings_file,
            "A's job conf": a.job_conf,
            "B's uWSGI options": b.uwsgi_file
            + ("" if args.restarter_yml else " (its uwsgi: section less mule, mules and farm)"),
            "B's Galaxy settings": b.settings_file,
            "B's job conf": b.job_conf
            + (" (given on the command line)" if args.restarter_job_conf else ""),
        }
    )
    for label, path in files.items():
        report.line(f"{label}: {path}")
    report.line(f"server_name (A's galaxy: section): {a.settings.get('server_name', 'main')}")
    if not os.path.isfile(a.job_conf):
        raise InputError(f"{a.job_conf}: A's job conf does not exist")

    check_layout(report, paths, a, b)
    schema = galaxy_defaults()

    with tempfile.TemporaryDirectory(prefix="zergcfg-galaxy-compat-") as scratch:
        model = open_model(scratch)
        mules, web_a = check_a(report, paths, a, schema, model, scratch)
        names = MuleNames(mules)
        for tag, members in web_a.tag_pools().items():
            if set(members) != names.by_tag.get(tag, set()):
                report.fail(
                    "stranded",
                    f"A's web worker sees tag '{tag}' as {describe_names(members)} but A's "
                    f"mules serving it are {describe_names(names.by_tag.get(tag, ()))}",
                )
        check_destinations(report, names, web_a, a.job_conf)
        check_a_jobs(report, web_a, names, a)

        b_proc = check_b(report, paths, b, names, schema, model, scratch)
        check_tool_mappings(
            report, web_a.app.job_config, b_proc.app.job_config, a.job_conf, b.job_conf
        )
        check_jobs(report, b_proc, web_a, names, b.job_conf, a.job_conf)
        b_proc.close()
        model.engine.dispose()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Check a restarter layout against Galaxy 21.09's own handler code."
    )
    parser.add_argument("--galaxy-yml", required=True, help="A's galaxy.yml (uwsgi: and galaxy:)")
    parser.add_argument(
        "--zergling-yml", help="zergling A's vassal file: A's uWSGI options (default: galaxy.yml's)"
    )
    parser.add_argument(
        "--restarter-yml",
        help="the restarter: B's uWSGI options and Galaxy settings "
        "(default: galaxy.yml's, less mule, mules and farm)",
    )
    parser.add_argument(
        "--job-conf", help="A's main job conf (default: galaxy.yml's job_config_file)"
    )
    parser.add_argument(
        "--restarter-job-conf",
        help="B's job conf (default: the restarter's job_config_file; needed without "
        "--restarter-yml)",
    )
    parser.add_argument(
        "--root", help="read absolute paths named inside the files from under this directory"
    )
    parser.add_argument(
        "--expect-failure",
        action="append",
        choices=sorted(FAILURE_KINDS),
        metavar="KIND",
        help="the files are known bad: pass only if the check fails with exactly these kinds "
        "(repeat for several): "
        + "; ".join(f"{kind}: {meaning}" for kind, meaning in FAILURE_KINDS.items()),
    )
    parser.add_argument("--verbose", action="store_true", help="show Galaxy's own log")
    args = parser.parse_args(argv)
    if not args.restarter_yml and not args.restarter_job_conf:
        parser.error("give --restarter-yml or --restarter-job-conf")
    return args


def setup_logging(verbose):
    """Keep Galaxy's ERROR records for the report; print Galaxy's log only with --verbose."""
    import warnings

    # SQLAlchemy 1.4 warns about overlapping relationships in Galaxy 21.09's model mapping when
    # the mapping is first used; that says nothing about the files checked.
    warnings.filterwarnings("ignore", module="sqlalchemy")
    warnings.filterwarnings("ignore", message=".*relationship.*will copy column")
    galaxy_log = logging.getLogger("galaxy")
    galaxy_log.addHandler(ERROR_LOG)
    if verbose:
        logging.basicConfig(level=logging.DEBUG)
    else:
        galaxy_log.setLevel(logging.ERROR)
        galaxy_log.propagate = False
        logging.basicConfig(level=logging.CRITICAL)


def main(argv=None):
    global FAKE

    args = parse_args(argv)
    given = [
        p
        for p in (
            args.galaxy_yml,
            args.zergling_yml,
            args.restarter_yml,
            args.job_conf,
            args.restarter_job_conf,
        )
        if p
    ]
    for path in given:
        if not os.path.isfile(path):
            print(f"error: {path}: no such file", file=sys.stderr)
            return 2
    for name in ("galaxy_yml", "zergling_yml", "restarter_yml", "job_conf", "restarter_job_conf"):
        if getattr(args, name):
            setattr(args, name, os.path.abspath(getattr(args, name)))

    setup_logging(args.verbose)
    FAKE = install_fake_uwsgi()
    try:
        version = metadata.version("galaxy-app")
    except metadata.PackageNotFoundError:
        print("error: galaxy-app is not installed in this Python (run setup.sh)", file=sys.stderr)
        return 2

    print(f"Galaxy {version} handler compatibility check")
    print("stubs:")
    for stub in STUBS:
        print(f"  - {stub}")
    report = Report()
    paths = Paths(args.root)
    files = {"given": ", ".join(os.path.abspath(p) for p in given)}
    try:
        check(args, report, paths, files)
    except GalaxyRejected as rejected:
        report.fail(
            "rejected",
            f"Galaxy rejected {rejected.path} ({rejected.step}): {rejected.message}",
        )
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        # InternalError, or anything else that escaped: the check broke, not the files.
        print("INTERNAL ERROR: the check itself failed, which says nothing about the files:")
        for label, path in files.items():
            print(f"  {label}: {path}")
        if isinstance(error, InternalError):
            print(f"  {error}")
        traceback.print_exc()
        return 3

    target = files.get("B's job conf", "").replace(" (given on the command line)", "")
    target = target or args.restarter_job_conf or args.restarter_yml
    if args.expect_failure:
        want = sorted(set(args.expect_failure))
        got = report.kinds()
        if got == want:
            print(f"expected failure: {target} fails with {', '.join(got)}, as it should")
            return 0
        if not got:
            print(f"FAIL: passed, but is expected to fail with {', '.join(want)}")
        else:
            print(
                f"FAIL: expected to fail with {', '.join(want)}, but failed with {', '.join(got)}"
            )
        return 1
    if report.failures:
        print(f"FAILED with {', '.join(report.kinds())}")
        return 1
    suffix = (
        f" ({len(report.unchecked)} item(s) not checked, listed above)" if report.unchecked else ""
    )
    print(f"PASS: {target} routes every job B creates to A's mules{suffix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
