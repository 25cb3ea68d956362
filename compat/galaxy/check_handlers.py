"""Ask Galaxy 21.09's own code whether a restarter job configuration routes jobs to A's mules.

zergcfg writes, for zergling B (the restarter: web workers only, no mule, no farm), a job
configuration that must make every job B creates land on one of zergling A's mule handler names.
This module runs Galaxy 21.09's real ``JobConfiguration`` (galaxy.jobs), its handler assignment
(galaxy.web_stack.handlers), its uWSGI application stack (galaxy.web_stack, which derives handler
pools and mule names from uWSGI farms), its ``JobManager`` and its ``WorkflowSchedulingManager``
against the given files, with jobs stored through Galaxy's real SQLAlchemy model in a SQLite file,
so every handler reported is the value the ``job.handler`` column holds.

Checks:

* B (uWSGI web worker 1, no mule, no farm, ``server_name`` renamed by Galaxy to ``main.web.1``)
  loads the restarter conf, is neither a job handler nor a workflow scheduler, writes one of A's
  untagged mule names for a job of a tool with no handler mapping, and for every tool that the
  conf maps to a handler tag or id writes one of A's mule names for that tag; a workflow
  invocation B queues gets one of A's untagged mule names too. B's uWSGI options are A's
  ``uwsgi:`` section less every ``mule`` and ``farm`` line.
* A (the ``uwsgi:`` section of galaxy.yml with its ``mule``/``farm`` lines, the main job conf)
  is loaded once per mule; the names Galaxy gives A's mules after the fork, per tag, are exactly
  the names the restarter conf preassigns to, per tag.

Exit status: 0 when every check passes, 1 when one fails (or, with ``--expect-failure``, the other
way round), 2 when the check itself cannot run (missing file, unreadable galaxy.yml).

Stubs, everything else is Galaxy's own code:

* ``uwsgi``: a module object put in ``sys.modules`` before Galaxy is imported, standing in for
  the one uWSGI injects; it has ``opt`` (the options of galaxy.yml's ``uwsgi:`` section, repeated
  keys as lists of bytes, plus ``yaml``), ``numproc``, ``mule_id()``, ``worker_id()``,
  ``masterpid()``, ``workers()``, ``lock()``/``unlock()`` and ``farm_msg()``/``in_farm()``.
* the app: a plain object holding Galaxy's real application stack, ``JobMetrics``, model mapping
  and ``JobConfiguration``, with ``is_job_handler`` defined as Galaxy's application defines it.
* ``app.execution_timer_factory``: ``get_timer()`` returns Galaxy's plain ``ExecutionTimer``, as
  Galaxy's own factory does without statsd; that factory lives in ``galaxy.app``, which imports
  every Galaxy subsystem, including ones whose unpinned dependencies no longer import on 3.9.
* the app config: a plain object with only the settings these classes read (``server_name`` and
  ``base_server_name`` from galaxy.yml, ``job_config_file``, ``track_jobs_in_database``, and so
  on) at Galaxy's defaults, instead of ``GalaxyAppConfiguration``.
* the tool: an object with an ``id`` whose ``get_configured_job_handler()`` picks the tool's job
  configuration from the real ``JobConfiguration.get_job_tool_configurations()`` the way
  Galaxy's ``Tool`` does, since building a real ``Tool`` needs a toolbox.
"""

import argparse
import os
import sys
import tempfile
import types
from importlib import metadata

STUBS = (
    "uwsgi module (opt from galaxy.yml's uwsgi: section, numproc, mule_id(), worker_id(), "
    "masterpid(), workers(), lock(), unlock(), farm_msg(), in_farm())",
    "app object (holds Galaxy's real stack, JobMetrics, model and JobConfiguration)",
    "app.execution_timer_factory (get_timer() returns Galaxy's plain ExecutionTimer)",
    "app config (only the settings these classes read, at Galaxy's defaults)",
    "tool (id plus Galaxy's own choice among get_job_tool_configurations())",
)

# How many jobs B creates per tag: preassignment picks a handler at random, so several jobs make
# it likely that every preassigned name is seen, while the name-set comparison covers the rest.
JOBS_PER_TAG = 8

# A tool id that no job conf maps, so its jobs take the default handler path.
UNMAPPED_TOOL_ID = "zergcfg_compat_unmapped_tool"

DEFAULT_TAG = "_default_"


class CheckError(Exception):
    """The check cannot run at all (as opposed to a conf that fails it)."""


class GalaxyRejected(Exception):
    """Galaxy raised while loading a conf; carries the file and Galaxy's own message."""

    def __init__(self, path, message):
        super().__init__(message)
        self.path = path
        self.message = message


def read_uwsgi_section(path):
    """Read the ``uwsgi:`` section line by line, keeping repeated keys in order.

    PyYAML would keep only the last ``mule:`` and ``farm:`` line, which is not what uWSGI does,
    so this follows uWSGI's own line-based reader: ``key: value`` lines indented under
    ``uwsgi:``, split at the first colon; an empty value or a list item ends the section, as it
    does in uWSGI.
    """
    options = []
    in_section = False
    with open(path, encoding="utf-8") as handle:
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
    """Read the ``galaxy:`` section with PyYAML, as Galaxy itself does."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        try:
            document = yaml.safe_load(handle) or {}
        except yaml.YAMLError as error:
            raise CheckError(f"{path}: Galaxy cannot read this YAML: {error}") from error
    section = document.get("galaxy") or {}
    if not isinstance(section, dict):
        raise CheckError(f"{path}: the galaxy: section is not a mapping")
    return section


def uwsgi_opt(options, yaml_path):
    """Build ``uwsgi.opt`` as uWSGI exposes it: bytes values, a list for a repeated key."""
    opt = {}
    for key, value in options + [("yaml", yaml_path)]:
        encoded = value.encode("utf-8")
        if key in opt:
            if not isinstance(opt[key], list):
                opt[key] = [opt[key]]
            opt[key].append(encoded)
        else:
            opt[key] = encoded
    return opt


def install_fake_uwsgi():
    """Put a stand-in ``uwsgi`` module where Galaxy's stack looks for it, before Galaxy loads."""
    fake = types.ModuleType("uwsgi")
    fake.opt = {}
    fake.numproc = 1
    fake.current_mule = 0
    fake.current_worker = 1
    fake.mule_id = lambda: fake.current_mule
    fake.worker_id = lambda: fake.current_worker
    fake.masterpid = lambda: os.getpid()
    fake.workers = lambda: ()
    fake.lock = lambda *args: None
    fake.unlock = lambda *args: None
    fake.farm_msg = lambda *args: None
    fake.in_farm = lambda *args: fake.current_mule > 0
    sys.modules["uwsgi"] = fake
    return fake


class MinimalConfig:
    """The few Galaxy settings that the job, stack and workflow classes read."""

    def __init__(self, server_name, job_config_file, scratch):
        self.server_name = server_name
        self.base_server_name = server_name
        self.job_config_file = job_config_file
        self.config_dict = {"base_server_name": server_name}
        self.track_jobs_in_database = True
        self.use_tasked_jobs = False
        self.local_task_queue_workers = 2
        self.default_job_resubmission_condition = ""
        self.job_resource_params_file = os.path.join(scratch, "job_resource_params_conf.xml")
        self.workflow_schedulers_config_file = os.path.join(scratch, "workflow_schedulers_conf.xml")
        self.parallelize_workflow_scheduling_within_histories = False
        self.history_local_serial_workflow_scheduling = False
        self.user_activation_on = False

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

    @property
    def is_job_handler(self):
        return (
            self.config.track_jobs_in_database and self.job_config.is_handler
        ) or not self.config.track_jobs_in_database


class TimerFactory:
    """Hands out Galaxy's plain ExecutionTimer, as Galaxy's factory does when statsd is off."""

    def get_timer(self, *args, **kwargs):
        from galaxy.util import ExecutionTimer

        return ExecutionTimer()


class MappedTool:
    """A tool known only by id, resolving its handler from the job conf as Galaxy's Tool does."""

    def __init__(self, app, tool_id):
        self.id = tool_id
        self.job_tool_configurations = app.job_config.get_job_tool_configurations([tool_id], [])

    def get_configured_job_handler(self, job_params=None):
        chosen = self.job_tool_configurations[0]
        if len(self.job_tool_configurations) > 1:
            for candidate in self.job_tool_configurations:
                if not candidate.params:
                    chosen = candidate
                    break
        return chosen.handler


class Process:
    """One Galaxy process (a web worker or a mule) loaded the way Galaxy loads it under uWSGI."""

    def __init__(self, fake, opt, server_name, job_conf, model, scratch, mule_id, worker_id):
        from galaxy.job_metrics import JobMetrics
        from galaxy.jobs import JobConfiguration
        from galaxy.jobs.handler import ItemGrabber
        from galaxy.web_stack import UWSGIApplicationStack, application_stack_instance
        from galaxy.workflow.scheduling_manager import WorkflowSchedulingManager

        fake.opt = opt
        fake.current_mule = mule_id
        fake.current_worker = worker_id

        self.app = MinimalApp(MinimalConfig(server_name, job_conf, scratch), model)
        self.app.application_stack = application_stack_instance(app=self.app)
        if not isinstance(self.app.application_stack, UWSGIApplicationStack):
            raise CheckError("Galaxy did not pick its uWSGI application stack")
        self.app.job_metrics = JobMetrics()

        # Galaxy wraps a conf it cannot use in an Exception naming the file; keep its words.
        try:
            self.app.job_config = JobConfiguration(self.app)
        except Exception as error:
            raise GalaxyRejected(job_conf, str(error)) from error

        # Galaxy builds the workflow scheduling manager before the fork, then renames the
        # process; the job manager asks whether it is a handler after the rename.
        try:
            self.workflows = WorkflowSchedulingManager(self.app)
            self.workflow_scheduler = bool(self.workflows._is_workflow_handler())
        except Exception as error:
            raise GalaxyRejected(job_conf, f"workflow scheduling setup failed: {error}") from error

        # Postfork functions a web worker registers are never run here; dropping them keeps one
        # process's registrations from piling up under the next.
        UWSGIApplicationStack.postfork_functions = []
        self.app.application_stack.set_postfork_server_name(self.app)

        self.server_name = self.app.config.server_name
        self.job_handler = bool(self.app.is_job_handler)
        self.methods = list(self.app.job_config.handler_assignment_methods)

        # A handler whose methods include a DB serialization method also takes jobs whose handler
        # column holds one of its tags; Galaxy's job queue decides this the same way.
        self.grab_method = ItemGrabber.get_grabbable_handler_assignment_method(self.methods)

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


def check(args, fake, report, failures):
    """Run every check, appending what Galaxy did to ``report`` and each problem to ``failures``."""
    from galaxy import model as galaxy_model
    from galaxy.exceptions import ToolExecutionError
    from galaxy.jobs.manager import JobManager

    restarter = args.restarter_job_conf

    options = read_uwsgi_section(args.galaxy_yml)
    galaxy_section = read_galaxy_section(args.galaxy_yml)
    server_name = str(galaxy_section.get("server_name", "main"))
    opt_a = uwsgi_opt(options, args.galaxy_yml)
    mule_count = sum(1 for key, _ in options if key == "mule")
    farms = [value for key, value in options if key == "farm"]

    # B is A's galaxy.yml less every mule and farm line, as zergcfg generates the restarter.
    opt_b = uwsgi_opt([(k, v) for k, v in options if k not in ("mule", "farm")], args.galaxy_yml)

    report.append(f"galaxy.yml: {args.galaxy_yml}")
    report.append(f"A's job conf: {args.job_conf}")
    report.append(f"restarter job conf (B): {restarter}")
    report.append(f"server_name (galaxy: section): {server_name}")
    report.append(f"A's uwsgi lines: {mule_count} mule, farm " + ("; ".join(farms) or "none"))

    with tempfile.TemporaryDirectory(prefix="zergcfg-galaxy-compat-") as scratch:
        model = open_model(scratch)

        # A: every mule as Galaxy names it after the fork, with the tags it serves.
        a_names = {}
        a_grabs = {}
        report.append("A, one Galaxy process per mule:")
        for mule_id in range(1, mule_count + 1):
            mule = Process(fake, opt_a, server_name, args.job_conf, model, scratch, mule_id, 0)
            tags = mule.self_tags()
            grabs = f", grabs tags by {mule.grab_method}" if mule.grab_method else ""
            report.append(
                f"  mule {mule_id}: server_name {mule.server_name}, job handler "
                f"{'yes' if mule.job_handler else 'no'}, tags {', '.join(tags)}{grabs}"
            )
            mule.close()
            if not mule.job_handler:
                continue
            for tag in tags:
                a_names.setdefault(tag, set()).add(mule.server_name)
                if mule.grab_method:
                    a_grabs.setdefault(tag, set()).add(mule.server_name)
        web_a = Process(fake, opt_a, server_name, args.job_conf, model, scratch, 0, 1)
        web_a.close()
        report.append(
            f"  web worker 1: assignment {', '.join(web_a.methods)}; pools "
            + "; ".join(f"{t}: {', '.join(h)}" for t, h in sorted(web_a.tag_pools().items()))
        )
        for tag, members in web_a.tag_pools().items():
            if set(members) != a_names.get(tag, set()):
                failures.append(
                    f"A's web worker sees tag '{tag}' as {describe_names(members)} but A's "
                    f"mules serving it are {describe_names(a_names.get(tag, ()))}"
                )
        all_a = set().union(*a_names.values()) if a_names else set()

        # B: worker 1 of the restarter, no mule and no farm.
        b = Process(fake, opt_b, server_name, restarter, model, scratch, 0, 1)
        b_pools = b.tag_pools()
        report.append(f"B, web worker 1 (server_name {b.server_name}):")
        report.append(f"  assignment methods: {', '.join(b.methods)}")
        pools_text = "; ".join(
            f"{tag}: {', '.join(repr(h) for h in members)}"
            for tag, members in sorted(b_pools.items())
        )
        report.append(f"  preassign pools: {pools_text or 'none'}")
        report.append(
            f"  job handler: {'yes' if b.job_handler else 'no'}; workflow scheduler: "
            f"{'yes' if b.workflow_scheduler else 'no'}"
        )
        if b.job_handler:
            failures.append(
                f"Galaxy made B ({b.server_name}) a job handler with {restarter} (assignment "
                f"{', '.join(b.methods)}): B's web workers would run jobs under their own names, "
                f"which nobody owns once B exits"
            )
        if b.workflow_scheduler:
            failures.append(
                f"Galaxy made B ({b.server_name}) a workflow scheduler with {restarter}"
            )

        # The names B preassigns to must be exactly A's mule names, tag by tag.
        for tag in sorted(set(a_names) | set(b_pools)):
            want = a_names.get(tag, set())
            got = set(b_pools.get(tag, ()))
            if want != got:
                failures.append(
                    f"{restarter} preassigns tag '{tag}' to "
                    f"{describe_names([repr(n) for n in got])} but A's mules for that tag are "
                    f"{describe_names(want)}"
                )

        # Jobs created in B, as B's JobManager creates them, and what the DB then holds.
        manager = JobManager(b.app)
        tools = [(UNMAPPED_TOOL_ID, None)]
        for tool_id, confs in sorted(b.app.job_config.tools.items()):
            for conf in confs:
                if conf.get("handler") and not conf.params:
                    tools.append((tool_id, conf.handler))
        session = model.context
        for tool_id, mapped in tools:
            tool = MappedTool(b.app, tool_id)
            configured = tool.get_configured_job_handler()
            if mapped is None:
                expect = a_names.get(configured or DEFAULT_TAG, set())
                if configured in all_a:
                    expect = {configured}
                label = f"tool {tool_id} (no handler mapping)"
            else:
                expect = a_names.get(mapped, {mapped} & all_a)
                label = f"tool {tool_id} (handler '{mapped}')"
            seen = {}
            for _ in range(JOBS_PER_TAG):
                job = galaxy_model.Job()
                job.tool_id = tool_id
                job.state = galaxy_model.Job.states.NEW
                session.add(job)
                try:
                    manager.enqueue(job, tool)
                except ToolExecutionError as error:
                    failures.append(
                        f"B could not create a job of {label} with {restarter}: Galaxy said "
                        f"'{error}'"
                    )
                    session.rollback()
                    break
                held = stored_handler(model, galaxy_model.Job.table, job.id)
                seen.setdefault(held, job.id)
            report.append(
                f"  {label}: job.handler "
                + (", ".join(f"{h!r} (job {i})" for h, i in seen.items()) or "none")
            )
            for held, job_id in seen.items():
                if held not in expect:
                    failures.append(
                        f"B wrote handler {held!r} for job {job_id} of {label}: no mule of A "
                        f"{'serving that tag ' if mapped else ''}is named {held!r} "
                        f"(A's handlers: {describe_names(expect)})" + grab_note(a_grabs, held)
                    )

        # A workflow invocation queued in B follows the same assignment.
        history = galaxy_model.History(name="zergcfg compat")
        session.add(history)
        session.flush()
        workflow = galaxy_model.Workflow()
        workflow.name = "zergcfg compat"
        invocation = galaxy_model.WorkflowInvocation()
        invocation.history = history
        invocation.workflow = workflow
        try:
            b.workflows.queue(invocation, {})
        except RuntimeError as error:
            failures.append(f"B could not queue a workflow invocation with {restarter}: {error}")
        else:
            held = stored_handler(model, galaxy_model.WorkflowInvocation.table, invocation.id)
            report.append(f"  workflow invocation {invocation.id}: handler {held!r}")
            if held not in a_names.get(DEFAULT_TAG, set()):
                failures.append(
                    f"B wrote handler {held!r} for workflow invocation {invocation.id}: no mule "
                    f"of A is named {held!r} (A's handlers: "
                    f"{describe_names(a_names.get(DEFAULT_TAG, ()))})" + grab_note(a_grabs, held)
                )
        b.close()
        model.engine.dispose()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Check a restarter job conf against Galaxy 21.09's own handler code."
    )
    parser.add_argument("--galaxy-yml", required=True, help="A's galaxy.yml (uwsgi: and galaxy:)")
    parser.add_argument("--job-conf", required=True, help="A's main job_conf.xml")
    parser.add_argument("--restarter-job-conf", required=True, help="B's job conf")
    parser.add_argument(
        "--expect-failure",
        action="store_true",
        help="the conf is known bad: exit 0 only if the check fails",
    )
    parser.add_argument("--verbose", action="store_true", help="show Galaxy's own log")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    for path in (args.galaxy_yml, args.job_conf, args.restarter_job_conf):
        if not os.path.isfile(path):
            print(f"error: {path}: no such file", file=sys.stderr)
            return 2
    args.galaxy_yml = os.path.abspath(args.galaxy_yml)
    args.job_conf = os.path.abspath(args.job_conf)
    args.restarter_job_conf = os.path.abspath(args.restarter_job_conf)

    # Galaxy logs every step at DEBUG; its verdicts reach this module as values and exceptions.
    import logging

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.CRITICAL)

    fake = install_fake_uwsgi()
    try:
        version = metadata.version("galaxy-app")
    except metadata.PackageNotFoundError:
        print("error: galaxy-app is not installed in this Python (run setup.sh)", file=sys.stderr)
        return 2

    print(f"Galaxy {version} handler compatibility check")
    print("stubs: " + "; ".join(STUBS))
    report = []
    failures = []
    try:
        check(args, fake, report, failures)
    except GalaxyRejected as rejected:
        failures.append(f"Galaxy rejected {rejected.path}: {rejected.message}")
    except (CheckError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    for line in report:
        print(line)
    for line in failures:
        print(f"FAIL: {line}")

    if args.expect_failure:
        if failures:
            print(f"expected failure: {args.restarter_job_conf} fails as it should")
            return 0
        print(f"FAIL: {args.restarter_job_conf} passed but is expected to fail")
        return 1
    if failures:
        return 1
    print(f"PASS: {args.restarter_job_conf} routes every job B creates to A's mules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
