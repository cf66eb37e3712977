"""Parallel search (`Model.solve(workers=k)`, `smtsched solve --workers k`): a portfolio of k
processes, each an `Optimizer` (smtsched.sched.optimize) with its own strategy and seed, that
share the best schedule and the best bound as they go (the portfolio of CP-SAT's and
Gurobi's parallel modes: diversified workers, one shared incumbent and bound).

    result = solve(model, time_limit, seed, workers=k, ...)   # k = 1: optimize.solve itself

Workers (`STRATEGIES`, by index): 0 bisects the gap as the single search does (same seed), 1
descends from above (every probe at best - 1: each answer is a better schedule or the proof),
2 climbs from below (every probe at the lower bound: the easiest claims to refute, the
bound-raising worker of portfolio solvers), 3 and more bisect with other seeds (seed + index).

What travels: a worker sends every schedule better than its own best and every rise of its
lower bound; the parent checks each schedule against the model (smtsched.sched.check) and
keeps the best checked one and the highest bound, and passes improvements on to the others.
A worker checks a schedule it receives too before it takes it as its upper bound and the
phases of its next search; a bound it receives raises its lower bound. Every bound that
travels is a fact (a static bound or the refutation of "objective <= b" under that bound
alone, never under a neighbourhood's orders), so OPTIMAL is the refutation of best - 1 by some
worker, given only facts. The parent stops every worker when the best meets the bound (or at
the time limit plus GRACE: each worker's own deadline ends it first), and a worker
that crashes or is killed takes nothing with it: the parent keeps what it had sent.

Certificates (`proof`): each worker certifies into its own sub-folder (DIR/.worker-i: the
Optimizer's own `certify`, from its own refutation or one more search within the time left);
once the answer is decided the parent tells the workers, takes the first certificate written,
checks it with the independent checker (smtsched.certify.check) and moves it into DIR; one
that does not verify is not kept, and `certificate_note` says why none is there.

Processes: 'fork' when the caller runs no other thread (`_context` says why), else
'forkserver' or 'spawn' (the model is pickled: la21 16 kB, under 1 ms). The parent itself
builds no search, so no CaDiCaL is ever forked.

k = 1 is the single search, unchanged, deterministic for a seed. With k > 1 the schedules and
bounds arrive in an order that depends on the machine: the answer's status and value are
right, the path to them (and the statistics) may differ between runs.
"""
import multiprocessing
import os
import shutil
import threading
import time
import traceback
from multiprocessing.connection import wait

from ..errors import SmtschedError
from . import check
from .optimize import Optimizer, ScheduleCheckError
from .optimize import solve as single_solve
from .result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, InconsistentResult, Result

STRATEGIES = ("bisect", "descent", "climb")


class PortfolioUnavailable(SmtschedError, RuntimeError):
    """workers > 1 where no process can be started."""

# after the time limit, how long the parent waits for the workers (their own deadline ends
# them, unless a check overran it) before it kills them and answers with what it has: less
# than isolation.GRACE, after which the command line kills the parent itself
GRACE = 0.1
# the counters of the workers' statistics that the answer adds up
SUMMED = ("checks", "conflicts", "solutions", "cuts", "theory_cuts", "lns_steps",
          "lns_improvements")


def strategy(index):
    return STRATEGIES[index] if index < len(STRATEGIES) else "bisect"


def solve(model, time_limit=None, seed=0, on_solution=None, log=False, start_from=(),
          proof=None, workers=1):
    if workers is None or workers <= 1:
        return single_solve(model, time_limit=time_limit, seed=seed, on_solution=on_solution,
                            log=log, start_from=start_from, proof=proof)
    return Portfolio(model, workers, time_limit, seed, on_solution, log, start_from,
                     proof).run()


class Worker(Optimizer):
    """An Optimizer that sends its improvements to the parent through `conn` and takes the
    others' (received between two checks)."""

    def __init__(self, model, conn, index, **options):
        self._lower = None
        self.receiving = False
        self.conn = conn
        self.strategy = strategy(index)
        super().__init__(model, **options)

    # every rise of the lower bound is sent (unless it came from the parent); the bound never
    # falls: a probe refuted below a bound received meanwhile leaves the higher one
    @property
    def lower(self):
        return self._lower

    @lower.setter
    def lower(self, value):
        if value is None or (self._lower is not None and value <= self._lower):
            return
        self._lower = value
        if not self.receiving:
            self.send(("bound", value))

    def send(self, message):
        try:
            self.conn.send(message)
        except (BrokenPipeError, EOFError, OSError):
            os._exit(0)   # the parent is gone: nobody wants the answer

    def improved(self, starts, present, report=True):
        if self.optimise and self.best is not None \
                and self.model.objective_value(starts, present) >= self.best[0]:
            return   # a search begun before a better schedule arrived
        super().improved(starts, present, report)
        self.send(("solution", self.best[0], list(starts), list(present)))

    def check_once(self, assumptions, own_deadline, max_conflicts):
        self.receive()
        return super().check_once(assumptions, own_deadline, max_conflicts)

    def receive(self):
        """Take what the parent passed on: better schedules (checked here too) and bounds."""
        try:
            while self.conn.poll():
                message = self.conn.recv()
                if message[0] == "solution":
                    self.take_schedule(*message[1:])
                elif message[0] == "bound":
                    self.receiving = True
                    try:
                        self.lower = message[1]
                    finally:
                        self.receiving = False
        except (EOFError, OSError):
            os._exit(0)

    def take_schedule(self, value, starts, present):
        if not self.optimise or self.best is None or value >= self.best[0]:
            return
        if check.violations(self.model, starts, present):
            raise ScheduleCheckError("internal error: a schedule from another worker failed "
                                     "the check against the model; please report this model")
        self.best = (value, starts, present)
        self.stats["received_solutions"] = self.stats.get("received_solutions", 0) + 1
        if self.backend is not None:
            self.backend.hint(starts, present)   # its orders: the next search's phases

    def probe(self):
        if self.strategy == "descent":
            self.fraction = 0.0   # best - 1
        elif self.strategy == "climb":
            self.fraction = 1.0   # the lower bound
        return super().probe()


def _work(conn, model, index, options, end, proof_folder, proof_input):
    """A worker process: run, send the answer as ("done", ...), or ("error", ...). `end`:
    the parent's time limit on the monotonic clock (None: none), so that the time it took to
    start the process is not added to it."""
    try:
        if end is not None:
            options = dict(options, time_limit=max(0.0, end - time.monotonic()))
        proof = None
        if proof_folder is not None:
            from .proof import Certification
            proof = Certification(model, proof_folder, proof_input)
        worker = Worker(model, conn, index, proof=proof, **options)
        result = worker.run()
        conn.send(("done", {"status": result.status, "objective": result.objective,
                            "lower_bound": result.lower_bound, "starts": result._starts,
                            "present": result._present, "stats": result.stats,
                            "reason": result.reason, "certificate": result.certificate,
                            "certificate_note": result.certificate_note}))
    except BaseException as error:   # reported, never raised in the worker
        try:
            conn.send(("error", error, traceback.format_exc()))
        except Exception:
            conn.send(("error", RuntimeError(repr(error)), traceback.format_exc()))
    finally:
        conn.close()


def _context():
    """'fork' where it is safe: the parent has built no search (no CaDiCaL) and runs no other
    thread, so a worker starts with the caller's state and the model as it is (nothing to
    pickle, no import of the caller's main module: 'spawn' and 'forkserver' import it
    again, and a script without `if __name__ == "__main__":` would start workers from its
    workers). With other threads running (a Dask worker, a GUI): 'forkserver' (or 'spawn'),
    which need that idiom in the caller's script."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        # nothing preloaded in the server: it starts with the current folder first on its
        # path (python -c), so from a source checkout it would import the uncompiled tree
        # (no smtsched.theories); a worker forked from it takes the caller's sys.path first
        # (multiprocessing.spawn.prepare) and imports smtsched from where the caller did
        # (seen in CI: a clean clone, installed with `pip install .`, tests run from its root)
        context.set_forkserver_preload([])
    return context


class Portfolio:
    """The parent of k workers: the best checked schedule, the highest bound, the answer."""

    def __init__(self, model, workers, time_limit, seed, on_solution, log, start_from, proof):
        self.model = model
        self.k = workers
        self.time_limit = time_limit
        self.seed = seed
        self.on_solution = on_solution
        self.log = log
        self.start_from = list(start_from)
        self.proof = proof
        self.optimise = model.objective is not None
        self.best = None     # (value, starts, present), checked here
        self.lower = None    # the highest bound a worker proved
        self.done = {}       # worker index -> its final answer (a dict), or None: crashed
        self.errors = []
        self.processes = []
        self.conns = []
        self.certifying = False

    def run(self):
        if multiprocessing.current_process().daemon:
            raise PortfolioUnavailable(
                f"workers={self.k}: a daemonic process (a multiprocessing.Pool's worker) may "
                "not start the worker processes; use workers=1 there")
        started = time.perf_counter()
        end = None if self.time_limit is None else time.monotonic() + self.time_limit
        proof_folders = [None] * self.k
        proof_input = None if self.proof is None else self.proof.input   # (before prepare)
        if self.proof is not None and self.proof.prepare():
            self.certifying = True
            proof_folders = [os.path.join(self.proof.folder, f".worker-{i}")
                             for i in range(self.k)]
        context = _context()
        for index in range(self.k):
            parent_end, child_end = context.Pipe()
            options = {"time_limit": self.time_limit, "seed": self.seed + index,
                       "log": self.log, "start_from": self.start_from}
            process = context.Process(
                target=_work, name=f"smtsched-worker-{index}", daemon=True,
                args=(child_end, self.model, index, options, end, proof_folders[index],
                      proof_input))
            process.start()
            child_end.close()
            self.processes.append(process)
            self.conns.append(parent_end)
        try:
            answer = self.gather(started)
        finally:
            self.stop()
        result = self.result(answer, started)
        if self.proof is not None:
            self.certificate(result, answer, proof_folders)
        return result

    # -- the exchange -----------------------------------------------------------------------
    def gather(self, started):
        """Pass improvements on until the answer is decided; the deciding worker's answer (a
        dict), or None when the workers ended (or the time ran out) without one."""
        deadline = None if self.time_limit is None else started + self.time_limit + GRACE
        decided = None
        live = {conn: index for index, conn in enumerate(self.conns)}
        while live:
            timeout = None if deadline is None else max(0.0, deadline - time.perf_counter())
            ready = wait(list(live), timeout)
            if not ready:
                break   # the time limit (the workers' own deadlines should have ended them)
            for conn in ready:
                index = live[conn]
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    del live[conn]   # ended (or crashed: killed, no answer)
                    self.done.setdefault(index, None)
                    continue
                decided = self.take(index, message) or decided
            # decided: without a certificate to write, at once; with one, once a worker has
            # written it (the others then stop), or when every worker has ended
            if decided is not None and (not self.certifying or decided.get("certificate")
                                        or all(i in self.done for i in range(self.k))):
                return decided
            if not self.certifying and self.optimise and self.best is not None \
                    and self.lower is not None and self.lower >= self.best[0]:
                return {"status": OPTIMAL}
        return decided

    def take(self, index, message):
        """Handle one message of worker `index`; the answer when it decides one."""
        kind = message[0]
        if kind == "solution":
            self.accept(message[2], message[3], index)
        elif kind == "bound":
            if self.lower is None or message[1] > self.lower:
                self.lower = message[1]
                self.broadcast(("bound", self.lower), index)
                self.report()
        elif kind == "done":
            answer = message[1]
            self.done[index] = answer
            if answer["starts"] is not None:
                self.accept(answer["starts"], answer["present"], index)
            if answer["lower_bound"] is not None and (self.lower is None
                                                      or answer["lower_bound"] > self.lower):
                self.lower = answer["lower_bound"]
            if answer["status"] in (OPTIMAL, INFEASIBLE):
                return dict(answer, worker=index)
        elif kind == "error":
            _, error, text = message
            self.done[index] = None
            if isinstance(error, (ScheduleCheckError, InconsistentResult)):
                raise error   # a wrong answer is never hidden
            self.errors.append(f"worker {index}: {error!r}")
        return None

    def accept(self, starts, present, index):
        """A schedule from worker `index`: checked here (its objective computed here, not
        taken from the worker), kept and passed on when it is better than the best."""
        problems = check.violations(self.model, starts, present)
        if problems:
            raise ScheduleCheckError(f"internal error: a schedule of worker {index} failed "
                                     f"the check against the model: {problems[0]}; please "
                                     "report this model")
        value = self.model.objective_value(starts, present) if self.optimise else None
        if self.best is not None and not (self.optimise and value < self.best[0]):
            return
        self.best = (value, list(starts), list(present))
        self.broadcast(("solution", value, self.best[1], self.best[2]), index)
        self.report()

    def broadcast(self, message, source):
        for index, conn in enumerate(self.conns):
            if index != source and index not in self.done:
                try:
                    conn.send(message)
                except (BrokenPipeError, OSError):
                    pass   # that worker ended meanwhile

    def report(self):
        if self.on_solution is not None and self.best is not None:
            self.on_solution(Result(self.model, FEASIBLE, objective=self.best[0],
                                    lower_bound=self.lower if self.optimise else None,
                                    starts=self.best[1], present=self.best[2],
                                    stats={"workers": self.k}))

    def stop(self):
        """End every worker still running (ours, by process), then reap them."""
        for process in self.processes:
            if process.is_alive():
                process.kill()
        for process in self.processes:
            process.join(5)
        for conn in self.conns:
            conn.close()

    # -- the answer -------------------------------------------------------------------------
    def result(self, answer, started):
        runtime = time.perf_counter() - started
        stats = {"workers": self.k}
        for done in self.done.values():
            for key in SUMMED:
                if done is not None and key in done["stats"]:
                    stats[key] = stats.get(key, 0) + done["stats"][key]
        if answer is not None and answer["status"] == INFEASIBLE:
            if self.best is not None:
                raise InconsistentResult(f"internal error: worker {answer['worker']} answered "
                                         "INFEASIBLE where another found a checked schedule; "
                                         "please report this model")
            return Result(self.model, INFEASIBLE, runtime=runtime, stats=stats,
                          reason=answer["reason"])
        if self.best is None:
            reason = self.reason()
            return Result(self.model, UNKNOWN, lower_bound=self.lower, runtime=runtime,
                          stats=stats, reason=reason)
        value, starts, present = self.best
        lower = self.lower if self.optimise else None
        if self.optimise and (lower is None or lower < value):
            reason = self.reason()
            return Result(self.model, FEASIBLE, objective=value, lower_bound=lower,
                          starts=starts, present=present, runtime=runtime, stats=stats,
                          reason=reason)
        # Result calls it OPTIMAL when the bound meets the value (and refuses a bound above
        # a checked schedule's value: a wrong bound, never hidden)
        return Result(self.model, OPTIMAL, objective=value if self.optimise else None,
                      lower_bound=lower, starts=starts, present=present, runtime=runtime,
                      stats=stats)

    def reason(self):
        """Why the answer is not proven: the first worker's reason (in worker order), and
        what happened to those that ended without an answer."""
        reasons = [self.done[i]["reason"] for i in sorted(self.done)
                   if self.done[i] is not None and self.done[i]["reason"]]
        if len(self.done) < self.k:
            reasons.insert(0, "timeout")   # stopped at the time limit
        lost = [i for i in sorted(self.done) if self.done[i] is None]
        parts = reasons[:1]
        if lost:
            parts.append(f"worker(s) {', '.join(map(str, lost))} ended without an answer")
        return "; ".join(parts + self.errors) or "unknown"

    def certificate(self, result, answer, folders):
        """Move the deciding worker's certificate into the folder, once it verifies."""
        proof = self.proof
        note = proof.note   # (prepare's refusal, if any)
        written = None
        if not proof.enabled:
            pass
        elif result.status not in (OPTIMAL, INFEASIBLE):
            note = f"no certificate: the answer is {result.status}, not proven"
        elif answer is None or not answer.get("certificate"):
            note = (answer or {}).get("certificate_note") or (
                "no certificate: no worker wrote one before it was stopped")
        elif answer["status"] != result.status or (result.status == OPTIMAL
                                                   and answer["objective"] != result.objective):
            note = ("no certificate: the worker that certified answered "
                    f"{answer['status']} {answer['objective']}, not this answer")
        else:
            folder = folders[answer["worker"]]
            from ..certify import check as check_certificate
            verdict = check_certificate(folder)
            if verdict.ok:
                written = self.move(folder, proof.folder)
                note = "" if written else f"no certificate: cannot move it into {proof.folder}"
            else:
                note = (f"no certificate: the certificate of worker {answer['worker']} did not "
                        f"verify ({verdict.status}: {verdict.reason})")
        for folder in folders:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        result.certificate = written
        result.certificate_note = note

    @staticmethod
    def move(source, target):
        """The certificate's files from `source` into `target`, manifest.json last (a folder
        without one is no certificate); `target`, or None when a file could not be moved."""
        try:
            names = sorted(os.listdir(source), key=lambda name: name == "manifest.json")
            for name in names:
                os.replace(os.path.join(source, name), os.path.join(target, name))
        except OSError:
            return None
        return target
