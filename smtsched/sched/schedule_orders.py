"""The orders a schedule makes between the tasks of one resource, transitively reduced.

"i ends before j starts" is left out when some task k of the same set runs between them (i
ends before k starts, k ends before j starts): the difference logic implies it from the two
kept orders (start(j) - start(i) >= d(i) + d(k)). So a chain per machine: n - 1 orders
instead of n^2 / 2. Used for the orders a neighbourhood move keeps (optimize.Neighbourhoods)
and the atoms a hinted schedule seeds on a lazy resource (lowered.LoweringBackend).
"""
import bisect


def reduced_orders(tasks, starts, ends):
    """The pairs (i, j) of `tasks` (indices into `starts` and `ends`) with i ending before j
    starts and no task of `tasks` between them, in the order of i's start, then j's."""
    kept = sorted(tasks, key=lambda i: (starts[i], i))
    kept_starts = [starts[i] for i in kept]
    # earliest[k]: the earliest end among kept[k:], the tasks starting latest
    earliest = [0] * len(kept) + [None]
    for k in range(len(kept) - 1, -1, -1):
        end, later = ends[kept[k]], earliest[k + 1]
        earliest[k] = end if later is None or end < later else later
    for i in kept:
        # the tasks starting once i ended; of them, those starting before any of them ended
        # (the others follow one that follows i)
        first = bisect.bisect_left(kept_starts, ends[i])
        if first == len(kept):
            continue
        last = bisect.bisect_left(kept_starts, earliest[first], first)
        for j in kept[first:last]:
            yield i, j
