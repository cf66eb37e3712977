"""The benchmark harness core (bench/harness/) that every suite runs its solvers through:

- a run that overruns is killed at the hard limit with its whole process group (a solver's
  children too), and a hung grandchild does not outlive the run;
- the address-space limit reaches the child: an allocation above it fails there, not in the
  parent;
- the answer is the last marked JSON line; other output around it is ignored;
- the child's side reports an exception or a MemoryError in the line, not as a traceback;
- the results file has one schema and reads back (also an older file whose notes sit in meta);
- the machine description names CPU, cores, memory, OS, Python, the solver packages and the
  checkout's commit, and renders for both the new and the older form;
- the shared options: unknown solvers and non-positive limits are usage errors; --json sits
  beside --out;
- the reports stored in bench/results/ render again (--rewrite-report) with the same sections
  and table columns.

Small child processes only; about 4 s in all.
"""
import json
import os
import sys
import textwrap
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
try:
    from bench.harness import args, child, machine, process, report, results  # noqa: E402
finally:
    # the source folder smtsched/ must not shadow the installed package
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != ROOT]


def _python(code):
    return [sys.executable, "-c", textwrap.dedent(code)]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie left to init counts as gone
    try:
        with open("/proc/%d/stat" % pid) as stream:
            return stream.read().split()[2] != "Z"
    except OSError:
        return False


def test_overrun_is_killed_at_the_limit_with_its_grandchildren(tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    done = process.run(_python("""
        import subprocess, sys, time
        g = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        open(%r, "w").write(str(g.pid))
        print("started", flush=True)
        time.sleep(60)
    """ % str(pidfile)), 1.0, str(tmp_path), mark="X ")
    assert done["killed"] and done["result"] is None
    assert 0.9 <= done["wall"] < 10
    assert "started" in done["stdout"]  # output before the kill is kept
    grandchild = int(pidfile.read_text())
    deadline = time.time() + 5
    while _alive(grandchild) and time.time() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_a_run_within_the_limit_gives_its_last_marked_line_and_times(tmp_path):
    done = process.run(_python("""
        print("noise {not json}")
        print('R {"answer": 1}')
        print("R not json")
        print('R {"answer": 2}')
        print("[1, 2]")
    """), 30, str(tmp_path), mark="R ")
    assert not done["killed"] and done["rc"] == 0
    assert done["result"] == {"answer": 2}
    assert done["wall"] > 0 and done["cpu"] >= 0
    # mark "": the last line that is a JSON object (smtsched solve --json prints one)
    assert process.marked('{"status": "OPTIMAL"}\n[1, 2]\nsat\n', "") == {"status": "OPTIMAL"}
    assert process.marked_all(done["stdout"], "R ") == [{"answer": 1}, {"answer": 2}]


def test_the_address_space_limit_reaches_the_child(tmp_path):
    code = """
        try:
            block = bytearray(1500 << 20)
            print('M {"allocated": true}')
        except MemoryError:
            print('M {"allocated": false}')
    """
    limited = process.run(_python(code), 60, str(tmp_path), memory_limit_mb=1000, mark="M ")
    assert limited["result"] == {"allocated": False}
    free = process.run(_python(code), 60, str(tmp_path), mark="M ")
    assert free["result"] == {"allocated": True}


def test_a_child_that_cannot_start_is_a_failed_run(tmp_path):
    done = process.run([str(tmp_path / "no-such-solver")], 5, str(tmp_path), mark="R ")
    assert done["rc"] is None and not done["killed"] and "cannot start" in done["stderr"]
    assert process.failure(done).startswith("exit code None, no result")


def test_the_child_side_reports_errors_in_its_line(capsys):
    def broken(out):
        out["stage"] = "build"
        raise ValueError("no such task")

    assert child.run("C ", broken, {"solver": "x"}) == 0
    line = process.marked(capsys.readouterr().out, "C ")
    assert line["solver"] == "x" and line["stage"] == "build" and line["status"] == "UNKNOWN"
    assert line["error"] == "ValueError: no such task" and "Traceback" in line["traceback"]
    assert line["maxrss_mb"] > 0

    def hungry(out):
        raise MemoryError

    child.run("C ", hungry, failed=(("answer", "error"),))
    line = process.marked(capsys.readouterr().out, "C ")
    assert line["answer"] == "error" and line["error"].startswith("out of memory")


def test_results_file_has_one_schema_and_reads_back(tmp_path):
    path = str(tmp_path / "sub" / "r.json")
    meta = results.run_meta("bench.x", ["--only", "a b"])
    assert meta["command"].endswith("-m bench.x --only 'a b'")
    results.write(path, "sched", meta, [{"name": "la01"}], ["a note"], startup={"z3": 1})
    saved = results.load(path)
    assert saved["schema"] == results.SCHEMA and saved["suite"] == "sched"
    assert saved["rows"] == [{"name": "la01"}] and saved["notes"] == ["a note"]
    assert saved["startup"] == {"z3": 1}
    assert not os.path.exists(path + ".tmp")
    # a file of the older harness: notes in meta, no schema
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"meta": {"notes": ["old note"]}, "rows": []}))
    assert results.load(str(old))["notes"] == ["old note"]


def test_machine_description_names_the_machine_packages_and_commit():
    m = machine.describe()
    assert m["schema"] == machine.SCHEMA
    assert m["cores"] == os.cpu_count() and m["memory"] and m["os"] and m["python"]
    assert set(machine.PACKAGES) <= set(m["packages"])
    assert "ortools" in m["packages"] and "python-sat" in m["packages"]
    if os.path.isdir(os.path.join(ROOT, ".git")):
        assert m["git"] and len(m["git"].split()[0]) == 12
    text = "\n".join(report.machine_section(m))
    assert text.startswith("## Machine") and "packages: " in text and "cores: " in text
    # an older report's machine dict still renders
    legacy = {"lscpu": "CPU(s): 2", "memory": "1 kB", "kernel": "Linux", "harness python": "3.11",
              "ortools": "9.15", "z3": "5.4"}
    assert "ortools 9.15" in machine.lines(legacy)


def test_code_fingerprint_changes_with_the_code(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    before = machine.code_fingerprint([str(tmp_path)])
    assert machine.code_fingerprint([str(tmp_path)]) == before
    (tmp_path / "a.py").write_text("x = 2\n")
    assert machine.code_fingerprint([str(tmp_path)]) != before


def test_shared_options_check_solvers_and_limits(tmp_path):
    out = str(tmp_path / "R.md")
    p = args.parser("prog", "d", out, ("smtsched", "z3", "yices"), memory_limit_mb=0, seed=0)
    a = args.finish(p, p.parse_args(["--solvers", "yices,smtsched"]), ("smtsched", "z3", "yices"))
    assert a.solvers == ["smtsched", "yices"]  # the suite's order, whatever was typed
    assert a.json == str(tmp_path / "R.json") and a.memory_limit_mb == 0 and a.seed == 0
    for bad in (["--solvers", "cvc5"], ["--timeout", "0"]):
        with pytest.raises(SystemExit) as stop:
            args.finish(p, p.parse_args(bad), ("smtsched", "z3", "yices"))
        assert stop.value.code == 2
    assert args.wanted("la01", args.patterns("la0*,j30*")) and not args.wanted("orb01", ["la*"])
    assert args.wanted("anything", [])


def test_default_reports_go_to_bench_results():
    assert args.default_out("RESULTS-sched.md") == os.path.join(ROOT, "bench", "results",
                                                                 "RESULTS-sched.md")


def test_progress_saves_every_run_and_ends_cleanly_on_interrupt(tmp_path, capsys):
    path = str(tmp_path / "r.json")
    meta, rows = {"runs_planned": 3}, []
    progress = results.Progress(path, "x", meta, rows, [])
    with progress:
        for k in range(3):
            rows.append({"k": k})
            progress.ran("run %d" % k)
            if k == 1:
                raise KeyboardInterrupt  # Ctrl-C, or SIGTERM by way of interrupt_on_sigterm
    assert progress.interrupted and meta["interrupted"] and meta["runs_done"] == 2
    assert results.load(path)["rows"] == [{"k": 0}, {"k": 1}]
    assert "[2/3] run 1" in capsys.readouterr().err
    with pytest.raises(ValueError):  # anything else is not swallowed
        with results.Progress(None, "x", {"runs_planned": 1}, [], []):
            raise ValueError


@pytest.mark.parametrize("suite", ["run", "smtlib", "sched", "dnn"])
def test_stored_results_render_again_in_the_same_shape(suite, tmp_path):
    # the reports in bench/results/ were written by the suites before the harness core; their
    # raw files still render (no solving), with the same sections and table columns
    import subprocess
    stored = os.path.join(ROOT, "bench", "results", "RESULTS-%s" % suite)
    raw = stored + ".json"
    env = dict(os.environ)
    if suite == "run":  # re-checks the stored models against the instances
        data = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")
        if not os.path.isfile(os.path.join(data, "jssp", "index.json")):
            pytest.skip(f"the shared benchmark data is absent ({data})")
        stored = os.path.join(ROOT, "bench", "results", "RESULTS")
        raw = os.path.join(ROOT, "bench", "results", "results.json")
        env["SMTSCHED_DATA"] = os.path.abspath(data)
    out = tmp_path / "r.md"
    done = subprocess.run([sys.executable, "-m", "bench." + suite, "--rewrite-report", raw,
                           "--out", str(out)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]

    def shape(text):
        """Section titles and table header rows (the line above each separator row)."""
        lines = text.splitlines()
        return [line for k, line in enumerate(lines) if line.startswith("#")
                or (k + 1 < len(lines) and lines[k + 1].replace(" ", "").startswith("|---"))]

    with open(stored + ".md") as stream:
        assert shape(out.read_text()) == shape(stream.read())
