"""`smtsched batch`: many instances, one process each, a JSON line per instance (issue 17).

- a batch's records equal what `smtsched solve --json FILE` prints one by one, for job
  shops, PSPLIB j30 files (when ../shared/data or $SMTSCHED_DATA has them) and SMT-LIB;
- resume: a second run skips what the results file holds with the same options, and runs
  again what it holds only with other options; a line cut short by a crash is run again;
- a run that reaches its limit ends within the limit plus a second (recorded wall time;
  a guarantee of the batch, not a speed claim), and the hard kill takes the whole process
  group with it (no search process survives);
- a missing or malformed input gives an error line and the batch goes on; no traceback.

The Dask path is in tests/test_batch_dask.py. Subprocesses run outside the checkout root
(tests/test_cli.py says why).
"""
import json
import os
import subprocess
import sys
import time

import pytest

from smtsched.batch import child, instance, results, runner

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")
J30 = os.path.join(DATA, "rcpsp", "j30")
# small j30 instances of the first parameter group (quick to prove optimal)
J30_FILES = ["j301_1.sm", "j301_2.sm", "j301_3.sm"]

SHOPS = {  # jobs machines, then per job its (machine, duration) pairs
    "shop_a.txt": "2 2\n0 3 1 2\n1 4 0 1\n",
    "shop_b.txt": "3 3\n0 2 1 3 2 1\n2 2 0 1 1 4\n1 3 2 2 0 2\n",
}
SAT = "(set-logic QF_IDL)(declare-fun x () Int)(declare-fun y () Int)" \
      "(assert (< x y))(assert (< y 5))(check-sat)\n"
UNSAT = "(set-logic QF_IDL)(declare-fun x () Int)(assert (< x 3))(assert (> x 4))(check-sat)\n"


def pigeons(n=10, holes=9):
    """n integers in 0..holes-1, pairwise distinct: many seconds of search, so the limit is
    what ends it (as in tests/test_cli.py)."""
    lines = ["(set-logic QF_IDL)"]
    lines += [f"(declare-fun p{i} () Int)" for i in range(n)]
    lines += [f"(assert (and (>= p{i} 0) (< p{i} {holes})))" for i in range(n)]
    lines.append("(assert (distinct " + " ".join(f"p{i}" for i in range(n)) + "))")
    lines += ["(check-sat)"]
    return "\n".join(lines) + "\n"


def smtsched(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "smtsched", *args], capture_output=True,
                          text=True, cwd=HERE, timeout=timeout)


def read_lines(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def tiny_inputs(tmp_path):
    files = []
    for name, text in SHOPS.items():
        (tmp_path / name).write_text(text)
        files.append(str(tmp_path / name))
    for name, text in (("sat.smt2", SAT), ("unsat.smt2", UNSAT)):
        (tmp_path / name).write_text(text)
        files.append(str(tmp_path / name))
    return files


def j30_inputs():
    if not os.path.isdir(J30):
        pytest.skip(f"no PSPLIB j30 data at {J30} (set SMTSCHED_DATA to the shared data folder)")
    return [os.path.join(J30, name) for name in J30_FILES]


# what is the same from run to run (times and search statistics aside)
SAME = ("status", "objective", "lower_bound", "gap", "starts", "reason", "answers", "output")


def essence(entry):
    return {name: entry.get(name) for name in SAME}


def one_by_one(path, *options):
    """The record `smtsched solve --json` gives for `path` alone, in the same terms."""
    done = smtsched("solve", "--json", path, *options)
    assert done.returncode == 0, done.stderr
    text = done.stdout.strip()
    if text.startswith("{"):
        return essence(json.loads(text))
    lines = done.stdout.splitlines()
    return essence({"status": lines[-1], "answers": lines, "output": lines})


def test_batch_equals_solve_one_by_one(tmp_path):
    inputs = tiny_inputs(tmp_path) + j30_inputs()
    out = tmp_path / "results.jsonl"
    done = smtsched("batch", *inputs, "--out", str(out), "--workers", "2", "--timeout", "60",
                    "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = read_lines(out)
    assert sorted(entry["input"] for entry in lines) == sorted(inputs)
    for entry in lines:
        assert entry["options"]["timeout"] == 60.0 and entry["options"]["seed"] == 3
        assert entry["exit"] == "solved", entry
        assert entry["path"] == os.path.abspath(entry["input"])
        assert entry["wall"] > 0
        expected = one_by_one(entry["input"], "--timeout", "60", "--seed", "3")
        assert essence(entry) == expected, entry["input"]
    by_name = {os.path.basename(entry["input"]): entry for entry in lines}
    assert by_name["sat.smt2"]["status"] == "sat" and by_name["unsat.smt2"]["status"] == "unsat"
    assert by_name["shop_a.txt"]["status"] == "OPTIMAL"
    for name in J30_FILES:  # the optimum the data's index records
        with open(os.path.join(J30, "index.json")) as index:
            optimum = json.load(index)[name[:-3]]["optimum"]
        assert by_name[name]["status"] == "OPTIMAL"
        assert by_name[name]["objective"] == optimum


def test_resume_skips_done_inputs_and_reruns_other_options(tmp_path):
    inputs = tiny_inputs(tmp_path)
    out = tmp_path / "results.jsonl"
    first = smtsched("batch", *inputs, "--out", str(out), "--workers", "2", "--timeout", "30")
    assert first.returncode == 0, first.stderr
    assert len(read_lines(out)) == len(inputs)
    # a crash while writing: the last line cut short is not a result, that input runs again
    text = out.read_text().splitlines(keepends=True)
    cut = next(k for k, line in enumerate(text) if "shop_b.txt" in line)
    out.write_text("".join(text[:cut] + text[cut + 1:]) + text[cut][:40])
    again = smtsched("batch", *inputs, "--out", str(out), "--timeout", "30")
    assert again.returncode == 0, again.stderr
    assert "1 of 1 run" in again.stderr and f"{len(inputs) - 1} already" in again.stderr
    lines = read_lines_tolerant(out)
    assert sorted(entry["input"] for entry in lines) == sorted(inputs)
    # the same once more: nothing to do
    nothing = smtsched("batch", *inputs, "--out", str(out), "--timeout", "30")
    assert "0 of 0 run" in nothing.stderr, nothing.stderr
    assert len(read_lines_tolerant(out)) == len(inputs)
    # other options: every input again
    seeded = smtsched("batch", *inputs, "--out", str(out), "--timeout", "30", "--seed", "5")
    assert f"{len(inputs)} of {len(inputs)} run" in seeded.stderr, seeded.stderr
    lines = read_lines_tolerant(out)
    assert len(lines) == 2 * len(inputs)
    seeds = [entry["options"]["seed"] for entry in lines]
    assert seeds.count(None) == len(inputs) and seeds.count(5) == len(inputs)


def read_lines_tolerant(path):
    entries = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return entries


def test_a_run_at_its_limit_ends_within_a_second_past_it(tmp_path):
    hard = tmp_path / "pigeons.smt2"
    hard.write_text(pigeons())
    out = tmp_path / "results.jsonl"
    done = smtsched("batch", str(hard), "--out", str(out), "--timeout", "1")
    assert done.returncode == 0, done.stderr
    (entry,) = read_lines(out)
    assert entry["exit"] in ("timeout", "killed"), entry
    assert entry["status"] in ("unknown", "UNKNOWN")
    # the guarantee: the limit plus a second, wall time from spawn to reaping
    assert entry["wall"] <= 1 + 1, entry


def test_a_run_that_ignores_its_limit_is_killed_within_a_second_past_it(tmp_path, monkeypatch):
    """The kill path itself: the solver is given 30 s of its own, the batch 1 s, so only the
    hard kill (HARD_KILL_AFTER past the limit) can end it. Measured on the development machine
    with both cores busy: 1.70-1.72 s in 12 runs; the promise is 2 s."""
    hard = tmp_path / "pigeons_ignores.smt2"
    hard.write_text(pigeons())
    solver_limit = instance.command

    def with_a_longer_own_limit(path, options):
        return solver_limit(path, dict(options, timeout=30.0))

    monkeypatch.setattr(instance, "command", with_a_longer_own_limit)
    entry = instance.run(str(hard), {"timeout": 1.0})
    assert entry["exit"] == "killed", entry
    assert 1 + instance.HARD_KILL_AFTER <= entry["wall"] <= 1 + 1, entry


def test_the_hard_kill_takes_the_whole_process_group(tmp_path, monkeypatch):
    """Killed long before the solver's own limit (the grace made negative), the record says
    `killed`, and neither the command nor the search process it forked survives."""
    if not os.path.isdir("/proc"):
        pytest.skip("no /proc to look for surviving processes in")
    hard = tmp_path / "pigeons_kill.smt2"
    hard.write_text(pigeons())
    monkeypatch.setattr(instance, "HARD_KILL_AFTER", -27.0)   # killed 3 s into a 30 s limit
    entry = instance.run(str(hard), {"timeout": 30.0})
    assert entry["exit"] == "killed", entry
    assert entry["wall"] < 10, entry
    time.sleep(0.2)
    survivors = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                    if str(hard).encode() in cmdline.read():
                        survivors.append(pid)
            except OSError:
                continue
    assert not survivors


def test_missing_and_malformed_inputs_give_error_lines(tmp_path):
    good = tmp_path / "shop_a.txt"
    good.write_text(SHOPS["shop_a.txt"])
    broken = tmp_path / "broken.sm"
    broken.write_text("this is not a PSPLIB file\n")
    bad_script = tmp_path / "bad.smt2"
    bad_script.write_text("(set-logic QF_IDL)(assert (< x 3))(check-sat)\n")
    missing = tmp_path / "missing.txt"
    out = tmp_path / "results.jsonl"
    done = smtsched("batch", str(broken), str(missing), str(bad_script), str(good),
                    "--out", str(out), "--timeout", "30", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    by_name = {os.path.basename(entry["input"]): entry for entry in read_lines(out)}
    assert by_name["shop_a.txt"]["exit"] == "solved"
    for name in ("broken.sm", "missing.txt", "bad.smt2"):
        entry = by_name[name]
        assert entry["exit"] == "error", entry
        assert entry["error"] and "Traceback" not in entry["error"], entry
    assert "broken.sm" in by_name["broken.sm"]["error"]
    assert "missing.txt" in by_name["missing.txt"]["error"]
    assert "x" in by_name["bad.smt2"]["error"]   # the unknown symbol


def test_a_folder_stands_for_its_instances(tmp_path):
    tiny_inputs(tmp_path)
    (tmp_path / "notes.md").write_text("not an instance")
    (tmp_path / "index.json").write_text("{}")
    files = runner.expand([str(tmp_path), str(tmp_path / "sat.smt2")])
    assert [os.path.basename(name) for name in files] == \
        ["sat.smt2", "shop_a.txt", "shop_b.txt", "unsat.smt2"]


def test_usage_errors(tmp_path):
    out = str(tmp_path / "r.jsonl")
    for options in (["--timeout", "0"], ["--workers", "0"], ["--format", "onnx"],
                    ["--workers", "2", "--dask", "tcp://127.0.0.1:1"]):
        done = smtsched("batch", "x.txt", "--out", out, *options)
        assert done.returncode == 2, (options, done.stderr)
        assert "Traceback" not in done.stderr
    assert not os.path.exists(out)


def test_without_distributed_the_error_names_the_extra(tmp_path, monkeypatch, capsys):
    from smtsched import cli

    monkeypatch.setitem(sys.modules, "distributed", None)   # import distributed fails
    code = cli.main(["batch", str(tmp_path / "x.txt"), "--out", str(tmp_path / "r.jsonl"),
                     "--dask", "tcp://127.0.0.1:1"])
    assert code == 2
    assert "pip install smtsched[dask]" in capsys.readouterr().err


def test_the_child_shortens_the_limit_by_its_start():
    argv = ["solve", "f.sm", "--json", "--timeout", "10.0"]
    assert child.shortened(argv, 100.0, 100.25) == ["solve", "f.sm", "--json", "--timeout",
                                                    "9.75"]
    assert child.shortened(argv, 100.0, 200.0)[-1] == repr(child.SMALLEST)
    assert child.shortened(argv, None, 5.0) == argv
    assert child.shortened(["solve", "f.sm"], 1.0, 2.0) == ["solve", "f.sm"]
    # a start under SLACK keeps the limit, so the search's conflict budget is the same in a
    # batch as one by one
    assert child.shortened(argv, 100.0, 100.0 + child.SLACK / 2) == argv


def test_results_keys_name_path_and_options(tmp_path):
    out = tmp_path / "r.jsonl"
    writer = results.Writer(str(out))
    writer.write({"path": "/a", "options": {"seed": 1, "timeout": 2.0}})
    writer.close()
    assert results.done(str(out)) == {results.key("/a", {"timeout": 2.0, "seed": 1})}
    assert results.key("/a", {"seed": 2}) not in results.done(str(out))


DIAMOND = ('{"name": "diamond", "nodes": [{"name": "a", "work": 300, "output_bytes": 100}, '
           '{"name": "b", "work": 500, "output_bytes": 50}, {"name": "c", "work": 200, '
           '"output_bytes": 50}, {"name": "d", "work": 100, "output_bytes": 10}], '
           '"edges": [["a", "b"], ["a", "c"], ["b", "d"], ["c", "d"]]}')


def test_graphs_with_an_accelerator_equal_smtsched_dnn(tmp_path):
    graph = tmp_path / "diamond.json"
    graph.write_text(DIAMOND)
    spec = os.path.join(HERE, "..", "examples", "single-core.toml")
    out = tmp_path / "results.jsonl"
    done = smtsched("batch", str(tmp_path), "--accelerator", spec, "--objective",
                    "peak-memory", "--out", str(out), "--timeout", "30")
    assert done.returncode == 0, done.stderr
    (entry,) = read_lines(out)
    assert entry["input"] == str(graph) and entry["exit"] == "solved", entry
    assert entry["options"]["accelerator"] == os.path.abspath(spec)
    alone = smtsched("dnn", str(graph), "--accelerator", spec, "--objective", "peak-memory",
                     "--json", "--timeout", "30")
    assert alone.returncode == 0, alone.stderr
    expected = json.loads(alone.stdout)
    assert entry["status"] == expected["status"] == "OPTIMAL"
    for name in ("objective", "lower_bound", "latency", "peak_memory", "schedule"):
        assert entry.get(name) == expected.get(name), name
