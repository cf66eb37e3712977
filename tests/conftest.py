"""Shared test configuration.

Hypothesis profiles (select with the environment variable HYPOTHESIS_PROFILE; default "ci"):

* ci       - deterministic (derandomize=True, no example database), no deadline, print_blob=True
             so a failure prints the `@reproduce_failure` blob. Baseline max_examples = 100.
* dev      - random, with the local example database, 20 examples: a quick edit/run loop.
* thorough - random, 1000 examples: for a long soak (`HYPOTHESIS_PROFILE=thorough pytest`).

Property tests size their example counts *relative to the profile* with `scaled(weight)` (in
the test modules; weight 1.0 = the profile's max_examples) instead of a fixed `max_examples`, so
that choosing a profile actually changes how much they run.

Certificates: every unsat answer of smtsched.Solver is certified and checked by the independent
checker (tests/certified.py; SMTSCHED_CERTIFY_ALL=0 turns it off); the summary counts them.

Parallel run: the suite runs in two pytest-xdist worker processes (CI has two cores) unless
told otherwise (`-n N`; `-n 0` or `-p no:xdist` for one process, e.g. to debug; `--pdb` implies
one process). The default is set by `pytest_cmdline_main` below, not by pyproject's addopts,
which would make `-p no:xdist` a usage error. Each worker certifies and counts its own
answers; it hands its counts to the controller when it finishes (`config.workeroutput`), and
the controller, which runs no tests, adds them up for the summary.

Hang watchdog: a solver stuck inside CaDiCaL holds the GIL, so neither Hypothesis nor a Python
timer can interrupt it. Every test therefore runs under `faulthandler.dump_traceback_later`
(SMTSCHED_TEST_TIMEOUT seconds, default 600, 0 disables), which prints the stacks and exits the
process instead of hanging CI (under xdist: the worker, whose test is then reported as crashed;
xdist starts another worker for the rest); the input that was being checked at that moment is
kept in the file named by the `input_log` fixture (shown in the pytest header; one file per
worker process).
"""

import faulthandler
import os
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))
# `python -m pytest` from the checkout root puts the root on sys.path, where the source folder
# smtsched/ (without the compiled theories, which install as smtsched.theories) would shadow the
# installed package: keep the root out.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _ROOT]

import z3_oracle  # noqa: E402  (sets z3's strict mode before any z3 context exists)
import certified  # noqa: E402

_slow_ok = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=_slow_ok,
)
settings.register_profile(
    "dev",
    max_examples=20,
    deadline=None,
    print_blob=True,
    suppress_health_check=_slow_ok,
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=_slow_ok,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def z3_strict():
    """The z3 oracle module, with strict SMT-LIB 2 mode checked to be on."""
    z3_oracle.assert_strict_mode()
    return z3_oracle


WATCHDOG_SECONDS = float(os.environ.get("SMTSCHED_TEST_TIMEOUT", "600"))
INPUT_LOG_PATH = os.path.join(tempfile.gettempdir(), f"smtsched-test-input-{os.getpid()}.txt")


class InputLog:
    """Keeps the input under check in a file (overwritten in place, a few microseconds), so a
    run killed by the watchdog still says what it was solving."""

    def __init__(self, path):
        self.path = path
        self._fd = None

    def record(self, text):
        if self._fd is None:
            self._fd = os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
        data = text.encode()
        os.pwrite(self._fd, data, 0)
        os.ftruncate(self._fd, len(data))

    def discard(self):
        """End of a run that was not killed: the file is no longer needed."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            os.unlink(self.path)


_INPUT_LOG = InputLog(INPUT_LOG_PATH)
_WATCHDOG_FILE = None


DEFAULT_WORKERS = 2      # CI's cores
# loadfile: the tests of a module run in one worker, so a costly module fixture (the benchmark
# smoke run of test_bench_dnn_scale.py, the solved script of test_certify_slack.py) runs once.
# (loadgroup, which would allow finer sharing, does not group with pytest 9.2 and xdist 3.8: its
# worker renames item._nodeid, which pytest 9.2 no longer reads.)
DEFAULT_DIST = "loadfile"


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    # Runs before xdist's own (also tryfirst, registered earlier), which turns the number of
    # processes into worker gateways. Only when nothing about distribution was asked for.
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    option = config.option
    if (option.numprocesses is not None or option.dist != "no" or option.tx
            or getattr(option, "distload", False) or config.getoption("usepdb", False)):
        return
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    if cores >= 2:
        option.numprocesses = DEFAULT_WORKERS
        option.dist = DEFAULT_DIST


def _is_xdist_controller(config):
    """True in the xdist controller process: it only collects and reports, its workers run
    the tests (`-n 0` and `-p no:xdist` run them here)."""
    if hasattr(config, "workerinput"):
        return False
    try:
        return config.getoption("dist") != "no"
    except ValueError:   # xdist not loaded
        return False


def pytest_configure(config):
    # every unsat answer of smtsched.Solver in the suite is certified and checked (issue 15;
    # tests/certified.py); not in an xdist controller, which runs no test (it would only keep an
    # idle checker process)
    if certified.enabled() and not _is_xdist_controller(config):
        certified.install()
    # Global output capture is suspended while pytest_configure runs, so fd 2 is still the real
    # stderr here: keep a duplicate for the watchdog (inside a test, fd 2 is a capture file that
    # would be lost when the watchdog ends the process).
    global _WATCHDOG_FILE
    _WATCHDOG_FILE = os.fdopen(os.dup(2), "w")


def pytest_unconfigure(config):
    _INPUT_LOG.discard()


def pytest_sessionfinish(session):
    # an xdist worker: its certificate counts go to the controller with the worker's other
    # output (sent after this hook; plain JSON-able data)
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["certified"] = certified.export()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    # the controller: a worker finished (a crashed worker sends no output; its crash fails the
    # run anyway, and the summary says its counts are missing)
    if certified.enabled():
        output = getattr(node, "workeroutput", None) or {}
        certified.merge(output.get("certified"), node.gateway.id)


def pytest_terminal_summary(terminalreporter):
    for line in certified.summary():
        terminalreporter.write_line(line)


def pytest_report_header(config):
    where = INPUT_LOG_PATH
    if _is_xdist_controller(config):
        where = os.path.join(tempfile.gettempdir(), "smtsched-test-input-<worker pid>.txt")
    return (
        f"hang watchdog: {WATCHDOG_SECONDS:g} s per test (SMTSCHED_TEST_TIMEOUT); "
        f"input under check kept in {where}"
    )


@pytest.fixture
def input_log():
    return _INPUT_LOG


@pytest.fixture(autouse=True)
def certify_unless_marked(request):
    """A test marked `uncertified` runs its Solver checks without proof mode."""
    certified.suspended = request.node.get_closest_marker("uncertified") is not None
    yield
    certified.suspended = False
    certified.settle()   # the verdicts of this test's certificates (checked in the background)


@pytest.fixture(autouse=True)
def hang_watchdog():
    if WATCHDOG_SECONDS <= 0:
        yield
        return
    # faulthandler can only print stacks: the input under check is in INPUT_LOG_PATH
    out = _WATCHDOG_FILE or sys.__stderr__
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True, file=out)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
