"""The flexible job shop (FJSPLIB `.fjs`, smtsched.sched.fjs_format, issue 17).

- every .fjs file of ../shared/data/pyjobshop/ reads and solves (a short limit), each schedule
  checked by a checker written here from the file's text (its own few lines of parsing, none
  of the reader's): each operation on exactly one machine that the file allows, with that
  machine's duration, no two operations overlapping on a machine, each job's operations in
  order, and the objective the makespan; the optima known from the literature where reached;
- a hand-written file and small random ones against brute force;
- malformed files: a FormatError naming the file (the line and column when it can say), and
  the command line prints one line, no traceback; `--format fjs`, `--proof`.

The data tests are skipped, saying why, when the data folder is absent (set SMTSCHED_DATA).
"""
import itertools
import os
import random
import subprocess
import sys

import pytest

from smtsched.certify import check as check_certificate
from smtsched.sched import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, FormatError, read_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(ROOT, "..", "shared", "data")
PYJOBSHOP = os.path.join(DATA, "pyjobshop")

# the .fjs files of pyjobshop/ and their least makespans from the literature (MFJS1: Fattahi,
# Saidi Mehrabad and Jolai 2007; Mk01: Brandimarte 1993, proven optimal since; edata car1:
# Hurink, Jurisch and Thole 1994; small.fjs: PyJobShop's example); small.fjs and MFJS1 are
# checked by CP-SAT below. The three in REACHED are solved to OPTIMAL (seconds); car1 within
# a limit: its bound and objective must straddle the optimum.
FJS_FILES = {"MFJS1.fjs": 468, "Mk01.fjs": 40, "edata-car1.fjs": 6176, "small.fjs": 403}
REACHED = {"MFJS1.fjs", "Mk01.fjs", "small.fjs"}


def data_folder(folder):
    if not os.path.isdir(folder):
        pytest.skip(f"benchmark data not found: {folder} (set SMTSCHED_DATA)")
    return folder


# -- the checker: the file's text, not smtsched's model -----------------------------------------
def parse_for_checker(text):
    """[[{machine: duration}] per operation] per job, machines as the file numbers them."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    jobs = []
    for fields in lines[1:]:
        values = [int(v) for v in fields]
        operations, at = [], 1
        for _ in range(values[0]):
            k = values[at]
            pairs = values[at + 1:at + 1 + 2 * k]
            operations.append(dict(zip(pairs[::2], pairs[1::2])))
            at += 1 + 2 * k
        jobs.append(operations)
    assert len(jobs) == int(lines[0][0])
    return jobs


def schedule_problems(jobs, result):
    """What is wrong with `result`'s schedule of the flexible job shop `jobs` (empty:
    nothing). Operation o of job j is task "j{j}o{o}"; on machine m when it alone is listed,
    else the present option "j{j}o{o}.m{m}"."""
    problems = []
    placed = []   # (job, operation, machine, start, end)
    names = set()
    for j, operations in enumerate(jobs):
        for o, machines in enumerate(operations):
            name = f"j{j}o{o}"
            names.add(name)
            start = result.start(name)
            if start is None:
                return [f"{name} has no start"]
            if len(machines) == 1:
                chosen = list(machines)
            else:
                chosen = [m for m in machines if result.start(f"{name}.m{m}") is not None]
                names.update(f"{name}.m{m}" for m in machines)
            if len(chosen) != 1:
                problems.append(f"{name} runs on {len(chosen)} machines")
                continue
            machine = chosen[0]
            if len(machines) > 1 and result.start(f"{name}.m{machine}") != start:
                problems.append(f"{name}'s machine does not start with it")
            if start < 0:
                problems.append(f"{name} starts at {start} < 0")
            placed.append((j, o, machine, start, start + machines[machine]))
    strangers = set(result.starts) - names
    if strangers:
        problems.append(f"tasks the file does not have: {sorted(strangers)}")
    if problems:
        return problems
    for (j, o, _, _, end), (j2, o2, _, start, _) in zip(placed, placed[1:]):
        if j == j2 and start < end:
            problems.append(f"j{j}o{o2} starts at {start}, before j{j}o{o} ends at {end}")
    for a, b in itertools.combinations(placed, 2):
        if a[2] == b[2] and a[3] < b[4] and b[3] < a[4]:
            problems.append(f"j{a[0]}o{a[1]} and j{b[0]}o{b[1]} overlap on machine {a[2]}")
    makespan = max([end for *_, end in placed], default=0)
    if result.objective != makespan:
        problems.append(f"the objective {result.objective} is not the makespan {makespan}")
    return problems


def assert_answer(text, result):
    assert result.status in (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN)
    if result.status in (OPTIMAL, FEASIBLE):
        assert schedule_problems(parse_for_checker(text), result) == []
        assert result.lower_bound is not None and result.lower_bound <= result.objective
    else:
        assert result.objective is None


# -- the data files ----------------------------------------------------------------------------
def test_the_table_names_every_fjs_file():
    names = {n for n in os.listdir(data_folder(PYJOBSHOP)) if n.endswith(".fjs")}
    assert names == set(FJS_FILES)


@pytest.mark.parametrize("name", sorted(FJS_FILES))
def test_every_fjs_file_reads_and_solves(name):
    path = os.path.join(data_folder(PYJOBSHOP), name)
    with open(path) as handle:
        text = handle.read()
    model = read_model(path)
    jobs = parse_for_checker(text)
    assert sum(len(operations) for operations in jobs) == \
        sum(1 for t in model.tasks if not t.optional)
    # the files whose optimum is reached are solved to the end (a time limit would make the
    # answer depend on the machine's load); car1 within a limit
    result = model.solve(time_limit=None if name in REACHED else 5)
    assert_answer(text, result)
    optimum = FJS_FILES[name]
    if name in REACHED:
        assert (result.status, result.objective) == (OPTIMAL, optimum)
    else:
        assert result.status in (OPTIMAL, FEASIBLE)
        assert result.lower_bound <= optimum <= result.objective


def test_the_checker_sees_a_wrong_machine_and_an_overlap():
    """Not vacuous: a schedule of small.fjs with every operation on its first machine at
    time 0 breaks the order of the jobs and overlaps."""
    path = os.path.join(data_folder(PYJOBSHOP), "small.fjs")
    with open(path) as handle:
        jobs = parse_for_checker(handle.read())

    class Fake:
        starts = {}
        objective = 0

        def start(self, name):
            return self.starts.get(name)

    fake = Fake()
    for j, operations in enumerate(jobs):
        for o, machines in enumerate(operations):
            fake.starts[f"j{j}o{o}"] = 0
            if len(machines) > 1:
                fake.starts[f"j{j}o{o}.m{min(machines)}"] = 0
    problems = schedule_problems(jobs, fake)
    assert any("before" in p for p in problems) and any("overlap" in p for p in problems)
    fake.starts["j0o0.m9"] = 0
    assert any("does not have" in p for p in schedule_problems(jobs, fake))


# -- against brute force -------------------------------------------------------------------------
def fjs_text(jobs, machines):
    lines = [f"{len(jobs)} {machines} 1.5"]
    for operations in jobs:
        fields = [len(operations)]
        for options in operations:
            fields.append(len(options))
            for machine, duration in options.items():
                fields += [machine, duration]
        lines.append(" ".join(map(str, fields)))
    return "\n".join(lines) + "\n"


def brute_force(jobs):
    """The least makespan: every choice of machines, and for each every interleaving of the
    jobs' operations, each operation put at its earliest start after its job's previous one
    and in the first gap of its machine that holds it (the active schedules, which hold an
    optimum of the makespan)."""
    operations = [(j, o) for j, ops in enumerate(jobs) for o in range(len(ops))]
    orders = sorted(set(itertools.permutations([j for j, _ in operations])))
    best = None
    for choice in itertools.product(*[sorted(jobs[j][o].items()) for j, o in operations]):
        chosen = dict(zip(operations, choice))
        for order in orders:
            busy = {}          # machine -> [(start, end)]
            ready = [0] * len(jobs)
            done = [0] * len(jobs)
            for j in order:
                machine, duration = chosen[(j, done[j])]
                t = ready[j]
                for s, e in sorted(busy.get(machine, [])):
                    if t + duration <= s:
                        break
                    t = max(t, e)
                busy.setdefault(machine, []).append((t, t + duration))
                ready[j] = t + duration
                done[j] += 1
            makespan = max(ready)
            best = makespan if best is None else min(best, makespan)
    return best


HAND_WRITTEN = [
    # two jobs, two machines: j0 = (op on m1:2 or m2:4), then (m2:1); j1 = (m1:3 or m2:1)
    # best: j1 on m2 at 0..1, j0o0 on m1 0..2, j0o1 on m2 2..3: makespan 3
    ([[{1: 2, 2: 4}, {2: 1}], [{1: 3, 2: 1}]], 2, 3),
    # one machine only: the durations add up
    ([[{1: 2}, {1: 3}], [{1: 4}]], 1, 9),
]


@pytest.mark.parametrize("jobs, machines, optimum", HAND_WRITTEN)
def test_hand_written_fjs_against_brute_force(tmp_path, jobs, machines, optimum):
    assert brute_force(jobs) == optimum
    path = tmp_path / "hand.fjs"
    path.write_text(fjs_text(jobs, machines))
    result = read_model(str(path)).solve()
    assert_answer(path.read_text(), result)
    assert (result.status, result.objective) == (OPTIMAL, optimum)


def cpsat_fjs(jobs, seconds=20):
    """CP-SAT's least makespan of `jobs` (None when it does not prove one), on the checker's
    data: optional intervals per machine option, exactly one per operation."""
    cp_model = pytest.importorskip("ortools.sat.python.cp_model")
    m = cp_model.CpModel()
    horizon = sum(max(options.values()) for ops in jobs for options in ops)
    on_machine = {}
    ends = []
    for ops in jobs:
        previous = None
        for options in ops:
            start = m.NewIntVar(0, horizon, "")
            end = m.NewIntVar(0, horizon, "")
            present = []
            for machine, duration in options.items():
                chosen = m.NewBoolVar("")
                interval = m.NewOptionalIntervalVar(start, duration, end, chosen, "")
                on_machine.setdefault(machine, []).append(interval)
                present.append(chosen)
            m.AddExactlyOne(present)
            if previous is not None:
                m.Add(start >= previous)
            previous = end
            ends.append(end)
    for intervals in on_machine.values():
        m.AddNoOverlap(intervals)
    makespan = m.NewIntVar(0, horizon, "makespan")
    m.AddMaxEquality(makespan, ends)
    m.Minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    if solver.Solve(m) == cp_model.OPTIMAL:
        return int(solver.ObjectiveValue())
    return None


@pytest.mark.parametrize("name", ["small.fjs", "MFJS1.fjs"])
def test_the_optima_of_the_small_files_are_cpsats(name):
    """The table's optima of the files small enough for CP-SAT in seconds (small.fjs has
    2592 choices of machines and 1680 interleavings: too many for the brute force below)."""
    path = os.path.join(data_folder(PYJOBSHOP), name)
    with open(path) as handle:
        jobs = parse_for_checker(handle.read())
    assert cpsat_fjs(jobs) == FJS_FILES[name]


def test_random_fjs_against_brute_force(tmp_path):
    generator = random.Random(1207)
    flexible = 0
    for number in range(25):
        machines = generator.randint(1, 3)
        jobs = [[{m: generator.randint(1, 4)
                  for m in generator.sample(range(1, machines + 1),
                                            generator.randint(1, machines))}
                 for _ in range(generator.randint(1, 2))]
                for _ in range(generator.randint(1, 3))]
        flexible += any(len(options) > 1 for ops in jobs for options in ops)
        path = tmp_path / f"random{number}.fjs"
        path.write_text(fjs_text(jobs, machines))
        result = read_model(str(path)).solve()
        assert_answer(path.read_text(), result)
        assert (result.status, result.objective) == (OPTIMAL, brute_force(jobs)), jobs
    assert flexible >= 10


# -- malformed files -------------------------------------------------------------------------
MALFORMED = [
    # (name, text, words of the message, located)
    ("empty.fjs", "", "empty file", True),
    ("header.fjs", "2\n", "the first line", True),
    ("header4.fjs", "1 2 1.5 7\n1 1 1 3\n", "the first line", True),
    ("average.fjs", "1 2 x\n1 1 1 3\n", "must be a number", True),
    ("letters.fjs", "1 2\n1 1 1 a\n", "an integer was expected", True),
    ("fraction.fjs", "1 2\n1 1 1 2.5\n", "an integer was expected", True),
    ("fewer_jobs.fjs", "2 2\n1 1 1 3\n", "2 jobs announced", True),
    ("more_jobs.fjs", "1 2\n1 1 1 3\n1 1 2 3\n", "one too many", True),
    ("short.fjs", "1 2\n2 1 1 3\n", "2 operations announced, 1 found", True),
    ("pairs.fjs", "1 2\n1 2 1 3 2\n", "a machine without its duration", True),
    ("machine.fjs", "1 2\n1 1 3 3\n", "machine 3 is not in 1..2", True),
    ("machine0.fjs", "1 2\n1 1 0 3\n", "machine 0 is not in 1..2", True),
    ("twice.fjs", "1 2\n1 2 1 3 1 4\n", "listed twice", True),
    ("negative.fjs", "1 2\n1 1 1 -3\n", "a duration must be at least 0", True),
    ("no_machines.fjs", "1 2\n1 0\n", "must be at least 1", True),
    ("trailing.fjs", "1 2\n1 1 1 3 5\n", "data after the last one", True),
    ("zero_machines.fjs", "1 0\n1 1 1 3\n", "the number of machines must be at least 1", True),
    ("binary.fjs", "\x00\x01", "NUL", True),
]


@pytest.mark.parametrize("name, text, words, located", MALFORMED,
                         ids=[m[0] for m in MALFORMED])
def test_malformed_files_give_a_format_error_with_the_path(tmp_path, name, text, words,
                                                           located):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(FormatError) as caught:
        read_model(str(path))
    message = str(caught.value)
    assert message.startswith(str(path)) and words in message, message
    assert (caught.value.line > 0) == located, message


def test_a_missing_file_is_a_format_error(tmp_path):
    path = str(tmp_path / "absent.fjs")
    with pytest.raises(FormatError) as caught:
        read_model(path)
    assert path in str(caught.value) and "cannot read" in str(caught.value)


def test_an_empty_job_and_no_jobs_read(tmp_path):
    """A job of no operation is allowed (nothing to schedule for it)."""
    path = tmp_path / "empty_job.fjs"
    path.write_text("2 1\n0\n1 1 1 3\n")
    result = read_model(str(path)).solve()
    assert (result.status, result.objective) == (OPTIMAL, 3)


# -- the command line ------------------------------------------------------------------------
def run_cli(*args):
    # from the tests' folder: started at the checkout root, Python would import the source
    # tree (without its compiled theories) instead of the installed package
    return subprocess.run([sys.executable, "-m", "smtsched", *args], capture_output=True,
                          text=True, timeout=120, cwd=os.path.dirname(os.path.abspath(__file__)))


def test_the_cli_solves_by_extension_and_by_format_name(tmp_path):
    text = fjs_text(*HAND_WRITTEN[0][:2])
    path = tmp_path / "hand.fjs"
    path.write_text(text)
    done = run_cli("solve", str(path))
    assert done.returncode == 0 and "status OPTIMAL" in done.stdout, done.stderr
    assert "makespan 3" in done.stdout
    renamed = tmp_path / "hand.data"
    renamed.write_text(text)
    done = run_cli("solve", str(renamed), "--format", "fjs")
    assert done.returncode == 0 and "makespan 3" in done.stdout, done.stderr


def test_the_cli_prints_a_format_error_without_a_traceback(tmp_path):
    path = tmp_path / "bad.fjs"
    path.write_text("1 2\n1 1 3 3\n")
    done = run_cli("solve", str(path))
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"smtsched: {path}:2:")


def test_the_cli_certifies_an_fjs_optimum(tmp_path):
    """The certificate holds the model (model.json): the checker has no .fjs reader."""
    path = os.path.join(data_folder(PYJOBSHOP), "small.fjs")
    folder = tmp_path / "proof"
    done = run_cli("solve", path, "--proof", str(folder))
    assert "status OPTIMAL" in done.stdout and "makespan 403" in done.stdout, done.stderr
    assert (folder / "model.json").exists()
    assert run_cli("check-proof", str(folder)).stdout.strip() == "verified"
    verdict = check_certificate(str(folder))
    assert verdict.ok, verdict.reason
