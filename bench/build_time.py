"""How long the road from a scheduling model to the search takes (issue 20's check).

    python bench/build_time.py [--repeat N] [--data DIR]

For la40 (makespan) and the 949-task diffsched graph
rand_graph_1000_1 on examples/single-core.toml (peak memory): the time from the input file
to a `smtsched.sched.Model` ("read"), and from that Model to the moment the first search
starts ("model to search": the encoding, the compilation, the theories and CaDiCaL; the
greedy schedule and the static bounds are timed apart and not counted). The first call of
the engine's `solve` is intercepted and the run stopped there, so no search is timed.
The best of N repeats is reported (each repeat in a fresh process would be fairer for the
garbage collector; the repeats are in one process, which the before and after share).
"""
import argparse
import gc
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class _Stop(Exception):
    pass


def _timed_to_search(model):
    """(seconds from the model to the first search, seconds in the greedy schedule)."""
    from smtsched import engine
    from smtsched.sched import heuristic, optimize
    spent = {"greedy": 0.0}
    original_solve = engine.Engine.solve
    original_greedy = heuristic.serial_schedule

    def stop(self, *args, **kwargs):
        raise _Stop

    def greedy(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original_greedy(*args, **kwargs)
        finally:
            spent["greedy"] += time.perf_counter() - t0

    engine.Engine.solve = stop
    heuristic.serial_schedule = greedy
    try:
        t0 = time.perf_counter()
        try:
            optimize.solve(model, time_limit=None)
        except _Stop:
            pass
        else:
            raise RuntimeError("the optimiser finished without a search")
        total = time.perf_counter() - t0
    finally:
        engine.Engine.solve = original_solve
        heuristic.serial_schedule = original_greedy
    return total - spent["greedy"], spent["greedy"]


def _cases(data):
    from smtsched.sched.formats import read_model

    def dnn():
        from smtsched.dnn.accelerator import load_accelerator
        from smtsched.dnn import load_graph
        from smtsched.dnn.problem import DnnProblem
        graph = load_graph(os.path.join(data, "dnn", "diffsched", "rand_graph_1000_1.gml"))
        acc = load_accelerator(os.path.join(HERE, "..", "examples", "single-core.toml"))
        return DnnProblem(graph, acc, objective="peak-memory").model

    return [
        ("la40 makespan", lambda: read_model(os.path.join(data, "jssp", "la40.txt"))),
        ("rand_graph_1000_1 peak (single-core)", dnn),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", default=os.environ.get(
        "SMTSCHED_DATA", os.path.join(HERE, "..", "..", "shared", "data")))
    args = parser.parse_args(argv)
    print("| model | tasks | read (s) | model to search (s) | greedy (s, not counted) |")
    print("|---|---|---|---|---|")
    for name, read in _cases(args.data):
        best = None
        for _ in range(args.repeat):
            gc.collect()
            t0 = time.perf_counter()
            model = read()
            read_time = time.perf_counter() - t0
            build, greedy = _timed_to_search(model)
            if best is None or build < best[1]:
                best = (read_time, build, greedy, len(model.tasks))
            del model
        print(f"| {name} | {best[3]} | {best[0]:.3f} | {best[1]:.3f} | {best[2]:.3f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
