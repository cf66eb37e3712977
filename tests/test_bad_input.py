"""Malformed and hostile input files through the command line: an error naming the file and the
place, exit code 1, never a traceback, a hang or a crash; valid but hostile files (10^18
durations, 10^9 units, a tensor of 10^30 bytes) get a schedule or a clear error, quickly.

The corpus (tests/bad_input_corpus.py, more than 1,000 files from a fixed seed) covers job-shop
.txt, PSPLIB .sm, our JSON graphs, Moccasin node-link JSON, GML, ONNX and accelerator TOML and
JSON; SMT-LIB has its own corpus (tests/test_smtlib_malformed.py). Every file runs through
`smtsched.cli.main` in this process, with standard output and error as strict UTF-8 streams and
a per-file time limit; a sample of about thirty also runs through the installed `smtsched`
console script, which must print the same message with the same exit code.

What a message must look like: ``smtsched: FILE:LINE:COLUMN: ...`` for text formats, with LINE
and COLUMN inside the file (the column may be one past the end of the line: where something
was missing), and ``smtsched: FILE: ...`` naming the node or tensor (or saying that the
protobuf is unreadable) for ONNX.
"""
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback

import pytest

import bad_input_corpus
from smtsched import cli

try:
    import onnx  # noqa: F401
    HAVE_ONNX = True
except ImportError:
    HAVE_ONNX = False

EXAMPLES = bad_input_corpus.EXAMPLES
SINGLE_CORE = os.path.join(EXAMPLES, "single-core.toml")
NPU_SMALL = os.path.join(EXAMPLES, "npu-small.toml")
GRAPH = '{"nodes": [{"name": "a", "work": 30, "output_bytes": 8}, {"name": "b", "work": 9}], ' \
        '"edges": [["a", "b"]]}\n'
TIMEOUT = "3"        # --timeout of every run: a file that happens to be valid is solved briefly
LIMIT = 15.0         # seconds for one file, whatever it holds (a hang otherwise)

CASES = bad_input_corpus.corpus(with_onnx=HAVE_ONNX)
HOSTILE = bad_input_corpus.hostile(with_onnx=HAVE_ONNX)


class Hang(BaseException):
    """Raised by the per-file alarm; a BaseException so that no `except Exception` in the
    command line can mistake it for an input problem."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad-input")
    (path / "graph.json").write_text(GRAPH)
    return path


def write(folder, case):
    path = folder / (case.name + case.suffix)
    path.write_bytes(case.data)
    return str(path)


def arguments(case, path, folder):
    if case.kind in ("jobshop", "psplib", "project"):
        return ["solve", path, "--timeout", TIMEOUT]
    if case.kind == "accel":
        return ["dnn", str(folder / "graph.json"), "--accelerator", path, "--timeout", TIMEOUT]
    spec = NPU_SMALL if case.kind == "onnx" else SINGLE_CORE
    return ["dnn", path, "--accelerator", spec, "--timeout", TIMEOUT]


def run_in_process(argv, limit=LIMIT):
    """(exit code, stdout, stderr, seconds) of `cli.main(argv)`; the streams are strict UTF-8
    like a terminal's, so a name that cannot be written fails here as it would there."""
    streams = [io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict",
                                write_through=True) for _ in range(2)]
    saved = sys.stdout, sys.stderr

    def alarm(*_):
        raise Hang()

    previous = signal.signal(signal.SIGALRM, alarm)
    started = time.perf_counter()
    sys.stdout, sys.stderr = streams
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        code = cli.main(argv)
    except Hang:
        code = "hang"
    except SystemExit as done:
        code = done.code
    except BaseException:
        code = "exception:\n" + traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout, sys.stderr = saved
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - started
    out, err = (s.buffer.getvalue().decode("utf-8", "replace") for s in streams)
    return code, out, err, elapsed


def check_message(case, path, err):
    """The one-line message names the file and a place inside it."""
    lines = err.splitlines()
    assert len(lines) == 1, f"one line of error expected:\n{err}"
    message = lines[0]
    prefix = f"smtsched: {path}:"
    assert message.startswith(prefix), message
    rest = message[len(prefix):]
    if case.kind == "onnx":
        # a mutation of known effect must be blamed on its node or tensor; random damage
        # (bit flips, truncation) on whatever it broke
        unreadable = "not a readable ONNX model" in rest or "not an ONNX model" in rest
        assert unreadable or not case.names or any(name in rest for name in case.names), \
            f"the message names none of {case.names}: {message}"
        return
    m = re.match(r"(\d+):(\d+): \S", rest)
    assert m, f"no line and column: {message}"
    line, column = int(m.group(1)), int(m.group(2))
    file_lines = case.data.split(b"\n")
    assert 1 <= line <= len(file_lines), message
    assert 1 <= column <= len(file_lines[line - 1]) + 1, message


def check(case, path, code, out, err, elapsed):
    assert code != "hang", f"no answer within {LIMIT} s"
    assert not str(code).startswith("exception"), code
    assert "Traceback" not in out + err and "internal error" not in err, err
    assert elapsed < LIMIT, elapsed
    if code == 1:
        assert case.expect != "valid" or case.objective is None, err
        assert out == "", out
        check_message(case, path, err)
        return
    assert code == 0, (code, err)
    assert case.expect in ("any", "valid"), f"a malformed file was accepted:\n{out[:500]}"
    first = out.splitlines()[0]
    assert re.fullmatch(r"status (OPTIMAL|FEASIBLE|INFEASIBLE|UNKNOWN)", first), out[:500]
    if case.objective is not None:
        assert first == "status OPTIMAL", out[:500]
        name = "makespan" if case.kind in ("jobshop", "psplib", "project") else "latency"
        assert f"\n{name} {case.objective}\n" in out, out[:500]


def test_corpus_is_large_varied_and_deterministic():
    assert len(CASES) >= 1000
    again = bad_input_corpus.corpus(with_onnx=HAVE_ONNX)
    assert [(c.name, c.data) for c in again] == [(c.name, c.data) for c in CASES]
    suffixes = {c.suffix for c in CASES}
    assert {".txt", ".sm", ".json", ".gml", ".toml"} <= suffixes
    assert HAVE_ONNX is False or ".onnx" in suffixes
    assert sum(c.expect == "error" for c in CASES) >= 900  # most are wrong by construction


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_malformed_file(case, folder, input_log):
    input_log.record(case.name)
    path = write(folder, case)
    check(case, path, *run_in_process(arguments(case, path, folder)))


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.name)
def test_valid_but_hostile_file(case, folder, input_log):
    input_log.record(case.name)
    path = write(folder, case)
    check(case, path, *run_in_process(arguments(case, path, folder)))


# --------------------------------------------------------------- through the real process

def _sample(cases, size=30):
    """Every kind of file, a few ONNX ones (each process imports onnx: seconds)."""
    chosen = []
    by_kind = {}
    for case in cases:
        by_kind.setdefault((case.suffix, case.expect), []).append(case)
    per_group = max(1, size // len(by_kind))
    for key in sorted(by_kind):
        group = by_kind[key]
        step = max(1, len(group) // per_group)
        chosen += group[::step][:1 if key[0] == ".onnx" else per_group]
    return chosen[:size]


def _command():
    script = os.path.join(os.path.dirname(sys.executable), "smtsched")
    if os.path.exists(script):
        return [script]
    found = shutil.which("smtsched")
    return [found] if found else [sys.executable, "-m", "smtsched"]


@pytest.mark.parametrize("case", _sample(CASES) + HOSTILE[:2], ids=lambda c: c.name)
def test_console_script_matches_the_in_process_run(case, folder):
    path = write(folder, case)
    argv = arguments(case, path, folder)
    # outside the checkout: there the source folder would shadow the installed package
    done = subprocess.run(_command() + argv, capture_output=True, cwd=str(folder),
                          timeout=LIMIT + 30)
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    check(case, path, done.returncode, out, err, 0.0)
    code, _, in_process_err, _ = run_in_process(argv)
    assert (done.returncode, err) == (code, in_process_err) or done.returncode == code == 0


# ------------------------------------------------------------------ pinned regressions
# Each input broke the command line before this file existed: the message fragment is what
# it must say now (and what it did then, in the comment).

def _onnx_model(name):
    models = dict(bad_input_corpus.onnx_hostile())
    if name in models:
        return models[name].SerializeToString()
    from onnx import TensorProto, helper
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    if name == "negative-dim":
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, -5])
        nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    else:  # reshape: 192 elements into 49
        import numpy as np
        from onnx import numpy_helper
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
        nodes = [helper.make_node("Reshape", ["x", "s"], ["y"], name="rs")]
        init = [numpy_helper.from_array(np.array([7, 7], np.int64), "s")]
        graph = helper.make_graph(nodes, "g", [x], [y], init)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]) \
            .SerializeToString()
    graph = helper.make_graph(nodes, "g", [x], [y])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]) \
        .SerializeToString()


_SM = bad_input_corpus.PSPLIB_SEEDS["ps4"]
# a multi-mode PSPLIB file (job 2 in two modes, a non-renewable resource) and an RCPSP/max one,
# small versions of the corpus's seeds from ../shared/data/pyjobshop/ (c154_3.mm, UBO10_01.sch)
_MM = """\
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  3
RESOURCES
  - renewable                 :  1   R
  - nonrenewable              :  1   N
  - doubly constrained        :  0   D
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          1           2
   2        2          1           3
   3        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1  N 1
------------------------------------------------------------------------
  1      1     0       0    0
  2      1     3       2    4
         2     5       1    2
  3      1     0       0    0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1  N 1
    2    3
************************************************************************
"""
_SCH = "2\t1\t0\t0\n0\t1\t2\t1\t2\t[0]\t[0]\n1\t1\t2\t2\t3\t[2]\t[2]\n2\t1\t1\t3\t[3]\n" \
    "3\t1\t0\n0\t1\t0\t0\n1\t1\t2\t1\n2\t1\t3\t1\n3\t1\t0\t0\n1\n"
REGRESSIONS = [
    # ModelError traceback ("the duration of job2 must be at least 0")
    ("neg-duration.sm", _SM.replace("  2      1      5", "  2      1     -5"),
     ":28:17: a duration must be at least 0, found -5"),
    # ModelError traceback ("the demand of job2 must be at least 0")
    ("neg-demand.sm", _SM.replace("  2      1      5    1", "  2      1      5    -1"),
     ":28:23: the demand for resource 1 must be at least 0, found -1"),
    # a precedence cycle answered "status INFEASIBLE, lower bound 444"
    ("cycle.sm", _SM.replace("   4        1          0   ", "   4        1          1   1"),
     ":22:28: the precedences form a cycle: 1 -> 2 -> 4 -> 1"),
    # a line of capacities starting with '-' was skipped as a separator: "no resource
    # availabilities", with no place
    ("neg-capacity.sm", _SM.replace("\n   1\n", "\n   -1\n"),
     ":34:4: the capacity of resource 1 must be at least 0, found -1"),
    # header of 10^9 machines: [[] for _ in range(10**9)], a hang
    ("machines.txt", "2 1000000000\n0 1\n0 2\n", None),
    # 5000 digits: "integers expected" at no column (GML: a ValueError traceback)
    ("long.txt", "1 1\n0 " + "9" * 5000 + "\n", ":2:3: a number of 5000 digits"),
    ("long.gml", "graph [ directed 1 node [ id 0 parameter " + "9" * 5000 + " ] ]",
     ":1:42: a number of 5000 characters is not a plausible value"),
    # a name with a lone surrogate: UnicodeEncodeError traceback when the schedule was printed
    ("surrogate.json", '{"nodes": [{"name": "\\ud800", "work": 1}]}',
     ":1:21: nodes[0].name: a name cannot contain the lone surrogate \\ud800"),
    # a key given twice: json.loads kept the last one silently
    ("twice.json", '{"nodes": [{"name": "a", "work": 1, "work": 2}]}',
     ":1:37: nodes[0]: the key 'work' appears twice in this object"),
    # nesting past the parser's depth: "nested too deeply" without a place
    ("deep.json", '{"nodes": ' + "[" * 5000 + "]" * 5000 + "}",
     ":1:510: invalid JSON: nested more than 500 levels deep"),
    # TOML nesting: a RecursionError traceback out of tomllib
    ("deep.toml", "a = " + "[" * 10000 + "]" * 10000 + "\n",
     ":1:104: invalid TOML: nested too deeply"),
    # per_work "1e99999999": Fraction computed 10**99999999 (a hang)
    ("exp.toml", '[units]\ncore = 1\n[[rules]]\nops = "*"\nunits = "core"\n'
                 'latency = { per_work = "1e99999999" }\n',
     ":6:13: rules[0].latency.per_work: '1e99999999' is out of range"),
    # "memory: Exceeds the limit (4300 digits) for integer string conversion ..."
    ("digits.toml", 'memory = "' + "9" * 5000 + ' MiB"\n[units]\ncore = 1\n[[rules]]\n'
                    'ops = "*"\nunits = "core"\nlatency = 1\n',
     ":1:1: memory: a number of 5000 digits is not a plausible amount of memory"),
    # 10^9 units: a list of 10^9 free times per unit kind (8 GB), a hang
    ("units.toml", '[units]\ncore = 1000000000\n[[rules]]\nops = "*"\nunits = "core"\n'
                   'latency = 1\n', None),
    # found when solving, not reading: the message had no place
    ("norule.toml", '[units]\ncore = 1\n\n[[rules]]\nops = "Conv"\nunits = "core"\nlatency = 1\n',
     ":4:1: rules: no rule matches the operator kind 'op'"),
    # a NUL byte in a comment (or an ignored attribute) was read as text (the soak)
    ("nul.gml", "graph [ directed 1 # a\x00 comment\n node [ id 0 ] ]",
     ":1:23: a NUL byte: this is not a text file"),
    # a value error of the TOML reader had no line: now the key's
    ("fixed.toml", '[units]\ncore = 1\n[[rules]]\nops = "*"\nunits = "core"\n'
                   'latency = { fixed = -1 }\n',
     ":6:13: rules[0].latency.fixed: expected an integer >= 0, found -1"),
    # the project formats read through psplib: errors found in its data named no place
    # ("smtsched: FILE: the demand of job2 for resource 1 must be at least 0, found -1")
    ("neg-demand.mm", _MM.replace("2     5       1    2", "2     5      -1    2"),
     ":20:23: the demand of job2 for resource 1 must be at least 0, found -1"),
    # "the capacity of a non-renewable resource must be at least 0, got -3"
    ("neg-capacity.mm", _MM.replace("    2    3\n", "    2   -3\n"),
     ":25:9: the capacity of resource 2 must be at least 0, found -3"),
    # a mode line dropped: "the data does not fit the layout (IndexError: list index out of
    # range)"
    ("dropped.mm", _MM.replace("  1      1     0       0    0\n", "", 1),
     ":18:3: the line of job 1, mode 1 was expected here (1 1, the duration and 2 demands)"),
    # a line of successors dropped: "not enough values to unpack (expected at least 3, got
    # 1)" (or "Length of successors and delays must be equal."), from psplib
    ("dropped.sch", _SCH.replace("2\t1\t1\t3\t[3]\n", ""),
     ":4:1: the line of successors of activity 2 was expected here"),
    # "job2 (mode 1) has 0 demands for 1 resources"
    ("demands.sch", _SCH.replace("1\t1\t2\t1\n", "1\t1\t2\n"),
     ":7:6: job2 (mode 1) has 0 demands for 1 resources"),
    # a 400-digit demand: "job2 demands 777...(400 digits) of resource 1, whose capacity
    # is 1: no schedule exists"
    ("huge-demand.sch", _SCH.replace("1\t1\t2\t1\n", "1\t1\t2\t" + "7" * 400 + "\n"),
     ":7:7: job2 demands 7777777777777777777777777777777777777... of resource 1"),
    # an MPLIB project of 10^30 activities: psplib listed their indices first (a hang);
    # found by tests/test_psplib_formats.py's mutations of small files
    ("huge.rcmp", "1\n1\n2\n1" + "0" * 30 + " 0\n1\n2 1 0\n",
     ":6:6: the file ends too early: the line of activity 2 of project 1 expected"),
]
ONNX_REGRESSIONS = [
    # ModelError traceback ("the size of buffer x must be at least 0, got -20")
    ("negative-dim", "the tensor 'x' (a graph input) has the negative dimension -5 "
                     "(dimension 1 of [1, -5])"),
    # data propagation materialised Range(0, 10^12): std::bad_alloc or the OOM killer
    ("range-1e12", None),
    # accepted: 192 elements reshaped into 49
    ("reshape", "node 'rs' (Reshape) turns 192 elements [1, 3, 8, 8] into 49 [7, 7]"),
]


@pytest.mark.parametrize("name, text, expected", REGRESSIONS, ids=[r[0] for r in REGRESSIONS])
def test_regression(name, text, expected, folder):
    path = folder / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    if name.endswith(".toml"):
        argv = ["dnn", str(folder / "graph.json"), "--accelerator", str(path)]
    elif name.endswith((".json", ".gml")):
        argv = ["dnn", str(path), "--accelerator", SINGLE_CORE]
    else:
        argv = ["solve", str(path)]
    code, out, err, elapsed = run_in_process(argv + ["--timeout", TIMEOUT])
    assert elapsed < 10 and "Traceback" not in err
    if expected is None:
        assert code == 0 and out.startswith("status OPTIMAL"), (code, err)
    else:
        assert code == 1 and err.startswith(f"smtsched: {path}{expected}"), err


@pytest.mark.skipif(not HAVE_ONNX, reason="onnx is not installed (pip install smtsched[onnx])")
@pytest.mark.parametrize("name, expected", ONNX_REGRESSIONS, ids=[r[0] for r in ONNX_REGRESSIONS])
def test_onnx_regression(name, expected, folder):
    path = folder / f"{name}.onnx"
    path.write_bytes(_onnx_model(name))
    code, out, err, elapsed = run_in_process(["dnn", str(path), "--accelerator", NPU_SMALL,
                                              "--timeout", TIMEOUT])
    assert elapsed < 10 and "Traceback" not in err
    if expected is None:
        assert code in (0, 1) and (code == 0 or err.startswith(f"smtsched: {path}: ")), err
    else:
        assert code == 1 and err == f"smtsched: {path}: {expected}\n"


def test_unreadable_file_is_named(folder):
    code, _, err, _ = run_in_process(["solve", str(folder / "absent.sm")])
    assert code == 1 and err.startswith(f"smtsched: {folder / 'absent.sm'}: cannot read")
    code, _, err, _ = run_in_process(["dnn", str(folder), "--format", "json",
                                      "--accelerator", SINGLE_CORE])
    assert code == 1 and err.startswith(f"smtsched: {folder}: cannot read")


# -------------------------------------------------------------------------- the soak

@pytest.mark.slow
@pytest.mark.parametrize("round_", range(40))
def test_soak(round_, folder, input_log):
    """40 x the CI corpus with other random choices (about 46,000 files): run before a
    release."""
    cases = bad_input_corpus.corpus(with_onnx=HAVE_ONNX,
                                    seed=bad_input_corpus.RANDOM_SEED + 1 + round_)
    failures = []
    for case in cases:
        input_log.record(case.name)
        path = write(folder, case)
        try:
            check(case, path, *run_in_process(arguments(case, path, folder)))
        except AssertionError as failure:  # keep going: one round shows every kind that fails
            failures.append(f"{case.name}: {str(failure)[:300]}")
    assert not failures, f"{len(failures)} of {len(cases)} failed:\n" + "\n".join(failures[:20])
