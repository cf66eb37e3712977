"""Generated project-scheduling instances: RCPSP/max (`.sch`, ProGen/max's layout) and
multi-mode RCPSP with non-renewable resources (`.mm`, PSPLIB's layout), deterministic by seed.

    python -m bench.gen_project max --activities 30 --nc 1.5 --rf 0.5 --rs 0.3 --max-share 0.2 --seed 1 --out a.sch
    python -m bench.gen_project mm --activities 20 --modes 3 --nc 1.5 --rf 0.5 --rs 0.3 --seed 1 --out a.mm
    python -m bench.gen_project set --out DIR      # the benchmark's fixed set + DIR/manifest.json
    python -m bench.gen_project set --set large --out DIR

Written from the papers, not from their generators' code:

- Kolisch, Sprecher and Drexl (1995), "Characterization and generation of a general class of
  resource-constrained project scheduling problems" (Management Science 41(10)), ProGen's
  parameters. Network complexity NC = the average number of (non-redundant) arcs per activity;
  resource factor RF = the average share of the resources an activity (a mode) requests;
  resource strength RS: the capacity of a renewable resource is K_min + round(RS * (K_max -
  K_min)), K_min = the largest single demand (the least that lets every activity run), K_max =
  the peak of the earliest-start schedule's demand profile; of a non-renewable resource
  K_min = the sum over the activities of their least demand, K_max = the sum of their largest.
  Multi-mode: durations grow and demands shrink with the mode number (a time/resource
  trade-off, as in PSPLIB's j30mm).
- Schwindt (1995/1998), ProGen/max: RCPSP/max, start-to-start time lags: a minimum lag
  delta_ij (start_j >= start_i + delta_ij) and a maximum lag, written as the reverse arc
  j -> i with a negative delay (start_i >= start_j - L). The cycles they close are what makes
  even feasibility NP-hard with resources (Bartusch, Moehring and Radermacher 1988).

What this generator does (simpler than ProGen/max, which builds cycle structures first):
a random DAG of `round(nc * n)` arcs among the n real activities, no arc implied by a path
already there (checked when it is added; a later arc can still make an earlier one redundant),
every activity on a path from the source to the sink; minimum lags drawn in [0, d_i] (a start
may overlap its predecessor), and for a share `max_share` of the arcs a maximum lag
L = D_ij + slack, D_ij the longest path from i to j over the minimum lags, slack drawn in
[0, tightness * (D_ij + d_i + d_j)], D_ij over the minimum lags and the maximum lags drawn before it: no
cycle is positive, the lags alone always admit a schedule (infeasible by chance: through the
resources). `infeasible="temporal"` adds one maximum
lag below D_ij (a positive cycle, by construction); `infeasible="resource"` ties two activities
whose demands together exceed a capacity to the same start (lags 0 both ways: they must
overlap). RS uses the earliest-start schedule over all the lags (before an infeasible arc).

Activities are numbered as in the files: 0 the source, 1..n the real ones, n+1 the sink
(`.sch`); the `.mm` file numbers jobs from 1 (job k = activity k - 1). The instance is a plain
dict (see `rcpsp_max` and `multi_mode`), which bench/project.py's checker uses as the truth.
"""
import argparse
import hashlib
import json
import os
import random
import sys

# --------------------------------------------------------------------------- networks


def _reaches(succ, a, b):
    """Whether b is reachable from a over the arcs succ (a dict of lists)."""
    seen, stack = {a}, [a]
    while stack:
        x = stack.pop()
        if x == b:
            return True
        for y in succ[x]:
            if y not in seen:
                seen.add(y)
                stack.append(y)
    return False


def random_dag(rng, n, nc):
    """Arcs (i, j), i < j, among activities 1..n: every activity but the first few has a
    predecessor, every one but the last few a successor, then random arcs until there are
    round(nc * n) (or no non-redundant arc can be found). Returned sorted."""
    target = max(n - 1, round(nc * n))
    succ = {i: [] for i in range(1, n + 1)}
    arcs = set()

    def add(i, j):
        succ[i].append(j)
        arcs.add((i, j))

    starts = max(1, min(3, n // 10))   # activities without a predecessor (ProGen: a few)
    for j in range(starts + 1, n + 1):
        add(rng.randint(1, j - 1) if j - 1 < starts + 1 else rng.randint(max(1, j - 6), j - 1), j)
    ends = max(1, min(3, n // 10))
    for i in range(1, n + 1 - ends):
        if not succ[i]:
            j = rng.randint(i + 1, min(n, i + 6))
            if (i, j) not in arcs:
                add(i, j)
    tries = 0
    while len(arcs) < target and tries < 50 * n * n:
        tries += 1
        i = rng.randint(1, n - 1)
        j = rng.randint(i + 1, min(n, i + 1 + max(4, n // 3)))
        if (i, j) in arcs or _reaches(succ, i, j):
            continue
        add(i, j)
    return sorted(arcs)


def _longest_from(n_nodes, arcs, source):
    """Longest path lengths from `source` over weighted arcs (i, j, w) (Bellman-Ford; the
    arcs must close no cycle of positive length), -inf where unreachable."""
    dist = [float("-inf")] * n_nodes
    dist[source] = 0
    for _ in range(n_nodes):
        changed = False
        for i, j, w in arcs:
            if dist[i] != float("-inf") and dist[i] + w > dist[j]:
                dist[j] = dist[i] + w
                changed = True
        if not changed:
            return dist
    raise ValueError("a cycle of positive length")


def _capacity(rs, low, high):
    return low + round(rs * (high - low))


def _profile_peak(starts, durations, demands):
    """The peak of the demand profile of one resource under `starts`."""
    events = sorted({s for s, d in zip(starts, durations) if d > 0})
    peak = 0
    for t in events:
        load = sum(q for s, d, q in zip(starts, durations, demands) if d > 0 and s <= t < s + d)
        peak = max(peak, load)
    return peak


def _requests(rng, resources, rf):
    """Which resources one activity (mode) requests: each with probability rf, at least one
    when rf > 0 (Kolisch et al.: RF is the average share, every activity uses something)."""
    used = [r for r in range(resources) if rng.random() < rf]
    if not used and rf > 0:
        used = [rng.randrange(resources)]
    return used


# --------------------------------------------------------------------------- RCPSP/max


def rcpsp_max(n=30, nc=1.5, rf=0.5, rs=0.3, max_share=0.1, resources=5, seed=0,
              tightness=1.0, infeasible=None, max_duration=10, max_demand=10):
    """An RCPSP/max instance: {"kind": "rcpsp_max", "n", "durations" [n+2], "demands"
    [n+2][K], "capacities" [K], "arcs" [(i, j, delay)] (start_j >= start_i + delay), "params"}."""
    if infeasible not in (None, "temporal", "resource"):
        raise ValueError("infeasible must be None, 'temporal' or 'resource'")
    rng = random.Random("rcpsp_max/%d" % seed)
    total = n + 2
    durations = [0] + [rng.randint(1, max_duration) for _ in range(n)] + [0]
    demands = [[0] * resources]
    for _ in range(n):
        row = [0] * resources
        for r in _requests(rng, resources, rf):
            row[r] = rng.randint(1, max_demand)
        demands.append(row)
    demands.append([0] * resources)

    dag = random_dag(rng, n, nc)
    arcs = [(i, j, rng.randint(0, durations[i])) for i, j in dag]
    has_pred = {j for _, j in dag}
    has_succ = {i for i, _ in dag}
    # the source precedes every activity without a predecessor, the sink follows every
    # activity (lag = its duration): the makespan is the sink's start
    arcs += [(0, j, 0) for j in range(1, n + 1) if j not in has_pred]
    arcs += [(i, n + 1, durations[i]) for i in range(1, n + 1)]
    minimum = list(arcs)

    maximum = []
    chosen = [a for a in dag if rng.random() < max_share]
    for i, j in chosen:
        # the longest path over every arc so far, maximum lags included: L >= it closes no
        # positive cycle, so a generated instance is never infeasible by its lags alone
        d_ij = _longest_from(total, minimum + maximum, i)[j]
        slack = rng.randint(0, round(tightness * (d_ij + durations[i] + durations[j])))
        maximum.append((j, i, -(d_ij + slack)))
    # RS against the earliest-start schedule of all the lags (before any infeasible arc)
    capacities = []
    es = _longest_from(total, minimum + maximum, 0)
    for r in range(resources):
        column = [demands[k][r] for k in range(total)]
        low = max(column)
        high = _profile_peak(es, durations, column)
        capacities.append(max(1, _capacity(rs, low, high)) if low else max(1, low))
    arcs = minimum + maximum
    if infeasible == "temporal":
        # one maximum lag shorter than the longest path it closes: a positive cycle
        paths = [(i, j, _longest_from(total, arcs, i)[j]) for i, j in dag]
        paths = [(i, j, d) for i, j, d in paths if d > 0]
        i, j, d_ij = paths[rng.randrange(len(paths))]
        arcs.append((j, i, -rng.randint(0, d_ij - 1)))
        maximum.append(arcs[-1])
    if infeasible == "resource":
        # two activities that must start together and cannot run together; the lags alone
        # allow it (no path of positive length between them either way, no arc yet)
        dist = {a: _longest_from(total, arcs, a) for a in range(1, n + 1)}
        linked = {(i, j) for i, j, _ in arcs}
        free = [(a, b) for a in range(1, n + 1) for b in range(a + 1, n + 1)
                if dist[a][b] <= 0 and dist[b][a] <= 0
                and (a, b) not in linked and (b, a) not in linked]
        pairs = [(a, b, r) for r in range(resources) for a, b in free
                 if demands[a][r] + demands[b][r] > capacities[r]]
        if not pairs:   # make one: raise a demand to the capacity
            r = max(range(resources), key=lambda r: capacities[r])
            a, b = free[rng.randrange(len(free))]
            demands[a][r] = capacities[r]
            demands[b][r] = max(1, demands[b][r])
            pairs = [(a, b, r)]
        a, b, r = pairs[rng.randrange(len(pairs))]
        arcs += [(a, b, 0), (b, a, 0)]
        maximum.append((b, a, 0))
    params = {"kind": "rcpsp_max", "activities": n, "nc": nc, "rf": rf, "rs": rs,
              "max_share": max_share, "resources": resources, "seed": seed,
              "tightness": tightness, "infeasible": infeasible}
    return {"kind": "rcpsp_max", "n": n, "durations": durations, "demands": demands,
            "capacities": capacities, "arcs": arcs, "params": params,
            "dag_arcs": len(dag), "max_lags": len(maximum)}


def write_sch(inst, path):
    """ProGen/max's `.sch` layout, as psplib's parser reads it: a header `n K 0 0`, a line
    per activity `id mode #successors successors... [delay]...`, a line per activity
    `id mode duration demands...`, then the capacities."""
    n, total = inst["n"], inst["n"] + 2
    out = {k: [] for k in range(total)}
    for i, j, w in inst["arcs"]:
        out[i].append((j, w))
    lines = ["%d\t%d\t0\t0" % (n, len(inst["capacities"]))]
    for k in range(total):
        succ = sorted(out[k])
        lines.append("\t".join([str(k), "1", str(len(succ))] + [str(j) for j, _ in succ]
                               + ["[%d]" % w for _, w in succ]))
    for k in range(total):
        lines.append("\t".join([str(k), "1", str(inst["durations"][k])]
                               + [str(q) for q in inst["demands"][k]]))
    lines.append("\t".join(str(c) for c in inst["capacities"]))
    _write(path, "\n".join(lines) + "\n")


# --------------------------------------------------------------------------- multi-mode


def multi_mode(n=20, modes=3, nc=1.5, rf=0.5, rs=0.3, renewable=2, nonrenewable=2, seed=0,
               rs_nonrenewable=None, max_duration=10, max_demand=10):
    """A multi-mode RCPSP instance with renewable and non-renewable resources: {"kind":
    "multi_mode", "n", "modes" [n+2][m] of (duration, [demand per resource]), "renewable"
    [bool per resource], "capacities", "arcs" [(i, j)] finish-to-start, "params"}. Resources
    are renewable first, then non-renewable (PSPLIB's R 1 .. N 1 ..)."""
    rng = random.Random("multi_mode/%d" % seed)
    rs_n = rs if rs_nonrenewable is None else rs_nonrenewable
    K = renewable + nonrenewable
    total = n + 2
    table = [[(0, [0] * K)]]
    for _ in range(n):
        # durations non-decreasing with the mode; each mode requests a renewable resource
        # (RF) and one non-renewable one, with demands that shrink as the mode gets longer
        durs = sorted(rng.randint(1, max_duration) for _ in range(modes))
        used = _requests(rng, renewable, rf)
        rows = []
        for m, d in enumerate(durs):
            row = [0] * K
            for r in used:
                row[r] = rng.randint(1, max_demand)
            if nonrenewable:
                row[renewable + rng.randrange(nonrenewable)] = rng.randint(1, max_demand)
            rows.append((d, row))
        # the longer mode asks less: sort each resource's demands descending over the modes
        for r in range(K):
            column = sorted((row[r] for _, row in rows), reverse=True)
            if all(row[r] > 0 for _, row in rows):
                for (_, row), q in zip(rows, column):
                    row[r] = q
        table.append(rows)
    table.append([(0, [0] * K)])
    dag = random_dag(rng, n, nc)
    has_pred = {j for _, j in dag}
    has_succ = {i for i, _ in dag}
    arcs = dag + [(0, j) for j in range(1, n + 1) if j not in has_pred] \
        + [(i, n + 1) for i in range(1, n + 1) if i not in has_succ]
    arcs = sorted(arcs)
    # renewable: ESS with every activity in its most demanding mode for that resource
    capacities = []
    for r in range(renewable):
        pick = [max(range(len(rows)), key=lambda m: rows[m][1][r]) for rows in table]
        durations = [table[k][pick[k]][0] for k in range(total)]
        es = _longest_from(total, [(i, j, durations[i]) for i, j in arcs], 0)
        column = [table[k][pick[k]][1][r] for k in range(total)]
        low = max(min(row[r] for _, row in rows) for rows in table)
        high = _profile_peak(es, durations, column)
        capacities.append(max(1, _capacity(rs, low, max(low, high))))
    for r in range(renewable, K):
        low = sum(min(row[r] for _, row in rows) for rows in table)
        high = sum(max(row[r] for _, row in rows) for rows in table)
        capacities.append(_capacity(rs_n, low, high))
    params = {"kind": "multi_mode", "activities": n, "modes": modes, "nc": nc, "rf": rf,
              "rs": rs, "rs_nonrenewable": rs_n, "renewable": renewable,
              "nonrenewable": nonrenewable, "seed": seed}
    return {"kind": "multi_mode", "n": n, "modes": table,
            "renewable": [True] * renewable + [False] * nonrenewable,
            "capacities": capacities, "arcs": arcs, "params": params, "dag_arcs": len(dag)}


def write_mm(inst, path, name="generated"):
    """PSPLIB's multi-mode layout (j30mm's), as psplib and PSPLIB's tools read it: jobs
    numbered from 1 (the source), the sink last."""
    n, total = inst["n"], inst["n"] + 2
    K = len(inst["capacities"])
    R = sum(inst["renewable"])
    table = inst["modes"]
    succ = {k: [] for k in range(total)}
    for i, j in inst["arcs"]:
        succ[i].append(j)
    horizon = sum(max(d for d, _ in rows) for rows in table)
    bar = "*" * 72
    L = [bar, "file with basedata            : %s.bas" % name,
         "initial value random generator: %d" % inst["params"]["seed"], bar,
         "projects                      :  1",
         "jobs (incl. supersource/sink ):  %d" % total,
         "horizon                       :  %d" % horizon,
         "RESOURCES",
         "  - renewable                 :  %d   R" % R,
         "  - nonrenewable              :  %d   N" % (K - R),
         "  - doubly constrained        :  0   D", bar,
         "PROJECT INFORMATION:",
         "pronr.  #jobs rel.date duedate tardcost  MPM-Time",
         "    1     %2d      0       %d        0       %d" % (n, horizon, horizon), bar,
         "PRECEDENCE RELATIONS:",
         "jobnr.    #modes  #successors   successors"]
    for k in range(total):
        L.append("  %2d        %d          %d       %s" % (
            k + 1, len(table[k]), len(succ[k]), "  ".join("%2d" % (j + 1) for j in sorted(succ[k]))))
    titles = ["R %d" % (r + 1) for r in range(R)] + ["N %d" % (r + 1) for r in range(K - R)]
    L += [bar, "REQUESTS/DURATIONS:", "jobnr. mode duration  " + "  ".join(titles), "-" * 72]
    for k in range(total):
        for m, (d, row) in enumerate(table[k]):
            L.append("%s      %d     %2d    %s" % (
                "  %2d" % (k + 1) if m == 0 else "    ", m + 1, d,
                "  ".join("%3d" % q for q in row)))
    L += [bar, "RESOURCEAVAILABILITIES:", "  " + "  ".join(titles),
          "  " + "  ".join("%3d" % c for c in inst["capacities"]), bar]
    _write(path, "\n".join(L) + "\n")


def _write(path, text):
    with open(path, "w") as stream:
        stream.write(text)


def network_complexity(inst):
    """Arcs per real activity among the real activities (source and sink arcs left out,
    a maximum lag's reverse arc too): what `nc` asks for."""
    return inst["dag_arcs"] / inst["n"]


def resource_factor(inst):
    """The average share of the (renewable, for multi-mode) resources a real activity's mode
    requests."""
    n = inst["n"]
    if inst["kind"] == "rcpsp_max":
        K = len(inst["capacities"])
        return sum(sum(q > 0 for q in inst["demands"][k]) for k in range(1, n + 1)) / (n * K)
    R = sum(inst["renewable"])
    shares = [sum(q > 0 for q in row[:R]) / R for k in range(1, n + 1)
              for _, row in inst["modes"][k]]
    return sum(shares) / len(shares)


# --------------------------------------------------------------------------- the fixed set

SETS = ("small", "large")


def benchmark_set(size="small"):
    """A fixed set of bench/project.py: [(name, kind, params)].

    small (issue 17's): 30 RCPSP/max instances of 30 activities over NC x RF x RS x share of
    maximum lags, 4 of them infeasible by construction (2 temporal, 2 resource); 30
    multi-mode instances of 20 and 30 activities, 3 modes, 2 renewable and 2 non-renewable
    resources. Both solvers answer most of them within a second.
    large: the same grid at 100 activities (RCPSP/max, UBO100's size; 20 instances, 2
    infeasible by construction) and 50 activities (multi-mode, 20 instances), where CP-SAT
    leaves some open at 10 s."""
    if size not in SETS:
        raise ValueError("size must be one of %s" % ", ".join(SETS))
    big = size == "large"
    n_max, count_max, constructed = (100, 18, 2) if big else (30, 26, 4)
    mm_sizes = (50, 50) if big else (20, 30)
    count_mm = 20 if big else 30
    out = []
    grid = [(nc, rf, rs) for nc in (1.5, 1.8, 2.1) for rf in (0.5, 1.0) for rs in (0.2, 0.5)]
    shares = (0.05, 0.1, 0.2)
    for k in range(count_max):
        nc, rf, rs = grid[k % len(grid)]
        out.append(("max%d_%02d" % (n_max, k + 1), "rcpsp_max",
                    {"n": n_max, "nc": nc, "rf": rf, "rs": rs, "max_share": shares[k % 3],
                     "resources": 5, "seed": 1000 * (1 + 10 * big) + k,
                     "tightness": 0.5 if k % 3 == 2 else 1.0}))
    for k, kind in enumerate(("temporal", "resource", "temporal", "resource")[:constructed]):
        out.append(("max%d_%02d" % (n_max, count_max + 1 + k), "rcpsp_max",
                    {"n": n_max, "nc": 1.5 + 0.3 * (k % 2), "rf": 0.5, "rs": 0.3,
                     "max_share": 0.1, "resources": 5, "seed": 2000 * (1 + 10 * big) + k,
                     "tightness": 1.0, "infeasible": kind}))
    half = count_mm // 2
    for k in range(count_mm):
        n = mm_sizes[k >= half]
        nc, rf, rs = grid[k % len(grid)]
        out.append(("mm%d_%02d" % (n, k + 1 if big else k % half + 1), "multi_mode",
                    {"n": n, "modes": 3, "nc": nc, "rf": rf, "rs": rs,
                     "rs_nonrenewable": (0.2, 0.5, 0.8)[k % 3], "renewable": 2,
                     "nonrenewable": 2, "seed": 3000 * (1 + 10 * big) + k}))
    return out


def generate(kind, params):
    return rcpsp_max(**params) if kind == "rcpsp_max" else multi_mode(**params)


def write(inst, path):
    (write_sch if inst["kind"] == "rcpsp_max" else write_mm)(inst, path)


def write_set(folder, entries=None):
    """Write the set into `folder` with manifest.json ({"format": "gen-project-1", "instances":
    [{name, kind, file, params, sha256, nc, rf}]}); returns the manifest."""
    os.makedirs(folder, exist_ok=True)
    rows = []
    for name, kind, params in entries or benchmark_set():
        inst = generate(kind, params)
        file = name + (".sch" if kind == "rcpsp_max" else ".mm")
        path = os.path.join(folder, file)
        write(inst, path)
        with open(path, "rb") as stream:
            digest = hashlib.sha256(stream.read()).hexdigest()
        rows.append({"name": name, "kind": kind, "file": file, "params": params,
                     "sha256": digest, "nc": round(network_complexity(inst), 3),
                     "rf": round(resource_factor(inst), 3)})
    manifest = {"format": "gen-project-1", "generator": "bench/gen_project.py",
                "instances": rows}
    with open(os.path.join(folder, "manifest.json"), "w") as stream:
        json.dump(manifest, stream, indent=1)
    return manifest


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.gen_project", description=__doc__.split("\n\n")[0])
    p.add_argument("kind", choices=["max", "mm", "set"])
    p.add_argument("--out", required=True, help="the file (max, mm) or folder (set)")
    p.add_argument("--activities", type=int, default=30)
    p.add_argument("--nc", type=float, default=1.5, help="network complexity (arcs per activity)")
    p.add_argument("--rf", type=float, default=0.5, help="resource factor")
    p.add_argument("--rs", type=float, default=0.3, help="resource strength")
    p.add_argument("--max-share", type=float, default=0.1, help="share of arcs with a maximum lag")
    p.add_argument("--tightness", type=float, default=1.0,
                   help="largest slack of a maximum lag / (longest path + the two durations)")
    p.add_argument("--infeasible", choices=["temporal", "resource"], default=None)
    p.add_argument("--resources", type=int, default=5, help="renewable resources (max)")
    p.add_argument("--modes", type=int, default=3)
    p.add_argument("--renewable", type=int, default=2)
    p.add_argument("--nonrenewable", type=int, default=2)
    p.add_argument("--rs-nonrenewable", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--set", choices=SETS, default="small", help="which fixed set (set)")
    a = p.parse_args(argv)
    if a.kind == "set":
        manifest = write_set(a.out, benchmark_set(a.set))
        print("%d instances in %s" % (len(manifest["instances"]), a.out))
        return 0
    if a.kind == "max":
        inst = rcpsp_max(a.activities, a.nc, a.rf, a.rs, a.max_share, a.resources, a.seed,
                         a.tightness, a.infeasible)
    else:
        inst = multi_mode(a.activities, a.modes, a.nc, a.rf, a.rs, a.renewable, a.nonrenewable,
                          a.seed, a.rs_nonrenewable)
    write(inst, a.out)
    print(json.dumps({"file": a.out, "params": inst["params"],
                      "nc": round(network_complexity(inst), 3),
                      "rf": round(resource_factor(inst), 3), "capacities": inst["capacities"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
