"""The process of one batch instance: `smtsched solve` (or `smtsched dnn`) as a user runs it.

    SMTSCHED_BATCH_SPAWNED=<time.time() at spawn> python -m smtsched.batch.child solve ARGS...

The only difference from `smtsched ARGS...`: the `--timeout` is shortened by the time the
interpreter took to start and import (the batch measures the limit from the spawn, and under
load the start alone can take a good part of a second), so that the solver's own clock, not
the hard kill, ends a run that reaches its limit, and its best answer so far is kept. A start
under SLACK leaves the limit as it is: a timed search sizes its conflict budget from the limit
(smtsched/sched/optimize.py), so a limit shortened by a few varying milliseconds gave the same
instance different searches in a batch and one by one (j3013_2: 57,258 conflicts and 56,766,
session 8); the ~20 ms of a normal start fit in the hard kill's grace (instance.py).
"""
import os
import sys
import time

# The smallest budget handed to the solver when the start took the whole limit: it then
# answers at once with what it has (unknown, reason timeout), rather than being killed.
SMALLEST = 0.001
# a start below this many seconds does not shorten the limit (the docstring says why); on this
# machine a start takes about 20 ms, and the command line's imports another 40
SLACK = 0.1


def shortened(argv, spawned, now):
    """`argv` with the value after `--timeout` reduced by `now - spawned` (seconds), when that
    is SLACK or more."""
    argv = list(argv)
    if spawned is None or "--timeout" not in argv or now - spawned < SLACK:
        return argv
    at = argv.index("--timeout") + 1
    limit = float(argv[at])
    argv[at] = repr(max(SMALLEST, limit - max(0.0, now - spawned)))
    return argv


def main():
    spawned = os.environ.get("SMTSCHED_BATCH_SPAWNED")
    spawned = float(spawned) if spawned else None
    argv = shortened(sys.argv[1:], spawned, time.time())
    from ..cli import entry_point

    sys.argv = ["smtsched"] + argv
    entry_point()


if __name__ == "__main__":
    main()
