"""A deterministic corpus of malformed and hostile input files for every format the command line
reads (besides SMT-LIB, which tests/smtlib_corpus.py covers): job-shop .txt, PSPLIB .sm, the
other project formats (FJSPLIB .fjs, PSPLIB .mm, RCPSP/max .sch, Patterson .rcp), our JSON graphs (node and operator form), Moccasin node-link JSON, GML, ONNX, and accelerator
descriptions in TOML and JSON.

`corpus(rounds)` mutates seed files - small hand-written ones below, the examples/ accelerators,
ONNX models built with onnx.helper, and (when ../shared/data or $SMTSCHED_DATA exists) some real
benchmark files - with a fixed-seed `random.Random`: the same list on every run and machine (the
optional data only adds cases). Each `Case` says what the command line must do:

- ``error``: the file is wrong by construction (a cycle, a count that does not match, a negative
  duration, an unknown name, invalid UTF-8, a truncated JSON document, ...): exit code 1 and one
  message naming the file and the place;
- ``any``: a mutation that may or may not leave the file valid (a truncated protobuf, a cut
  job-shop line): a positioned error, or a schedule;
- ``valid``: valid but hostile (durations of 10^18, 10^9 units, a tensor of 10^30 bytes): a
  schedule or a clear error, quickly; with `objective` set, the optimum it must report.

`names` (ONNX) lists the node or tensor names one of which the message must contain.
Nothing here imports smtsched: what is wrong is known from how the file was made.
"""
import json
import os
import random
import re
from dataclasses import dataclass

RANDOM_SEED = 20261206
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "examples")
DATA = os.environ.get("SMTSCHED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")


@dataclass
class Case:
    name: str          # unique, usable as a file name
    kind: str          # jobshop, psplib, graph, accel, onnx
    suffix: str        # the file's extension
    data: bytes
    expect: str        # error, any, valid
    names: tuple = ()  # ONNX: one of these must be named by the message
    objective: int = None  # valid cases: the optimum, when known


# --------------------------------------------------------------------------------- seeds

JOBSHOP_SEEDS = {
    "js3x3": "3 3\n0 3 1 2 2 2\n0 2 2 1 1 4\n1 4 2 3 0 1\n",
    "js2x2c": "# a comment line\n2 2\n\n0 5 1 1\n1 5 0 1\n",
}


def _psplib_text(durations, successors, demands, capacities):
    """A PSPLIB .sm text in the layout of the j30 files."""
    n = len(durations)
    r = len(capacities)
    lines = ["*" * 72, "file with basedata            : hand.bas",
             "initial value random generator: 1", "*" * 72,
             "projects                      :  1",
             f"jobs (incl. supersource/sink ):  {n}", "horizon                       :  99",
             "RESOURCES", f"  - renewable                 :  {r}   R",
             "  - nonrenewable              :  0   N", "  - doubly constrained        :  0   D",
             "*" * 72, "PROJECT INFORMATION:",
             "pronr.  #jobs rel.date duedate tardcost  MPM-Time",
             f"    1     {n - 2}      0       20       5       20", "*" * 72,
             "PRECEDENCE RELATIONS:", "jobnr.    #modes  #successors   successors"]
    for j in range(n):
        after = successors[j]
        lines.append(f"  {j + 1:2d}        1          {len(after)}   "
                     + "   ".join(str(s) for s in after))
    lines += ["*" * 72, "REQUESTS/DURATIONS:",
              "jobnr. mode duration  " + "  ".join(f"R {k + 1}" for k in range(r)), "-" * 72]
    for j in range(n):
        lines.append(f"  {j + 1:2d}      1     {durations[j]:2d}    "
                     + "    ".join(str(d) for d in demands[j]))
    lines += ["*" * 72, "RESOURCEAVAILABILITIES:", "  " + "  ".join(f"R {k + 1}" for k in range(r)),
              "   " + "   ".join(str(c) for c in capacities), "*" * 72]
    return "\n".join(lines) + "\n"


PSPLIB_SEEDS = {
    "ps6": _psplib_text([0, 3, 2, 4, 2, 0], [[2, 3], [4], [5], [5], [6], []],
                        [[0, 0], [2, 1], [1, 1], [2, 0], [1, 2], [0, 0]], [3, 2]),
    "ps4": _psplib_text([0, 5, 5, 0], [[2, 3], [4], [4], []], [[0], [1], [1], [0]], [1]),
}

GRAPH_SEEDS = {
    "nodes": {"name": "diamond",
              "nodes": [{"name": "a", "work": 3, "output_bytes": 100},
                        {"name": "b", "kind": "Conv", "work": 5, "output_bytes": 50,
                         "weight_bytes": 8},
                        {"name": "c", "work": 2, "output_bytes": 50},
                        {"name": "d", "work": 1, "output_bytes": 10}],
              "edges": [["a", "b"], ["a", "c"], ["b", "d"], ["c", "d"]]},
    "ops": {"name": "tiny",
            "operators": [{"name": "conv", "kind": "Conv", "work": 1000, "inputs": ["x"],
                           "outputs": ["y"], "weight_bytes": 640},
                          {"name": "relu", "kind": "Relu", "work": 100, "inputs": ["y"],
                           "outputs": ["z"]}],
            "tensors": [{"name": "x", "size": 400}, {"name": "y", "size": 400},
                        {"name": "z", "size": 400, "is_output": True}],
            "order": ["conv", "relu"]},
    "checkmate": {"directed": True, "multigraph": False, "graph": {"name": "m"},
                  "nodes": [{"name": "in", "backward": False, "cost_cpu": 3, "cost_ram": 10,
                             "id": 0},
                            {"name": "conv", "backward": False, "cost_cpu": 7, "cost_ram": 20,
                             "id": 1},
                            {"name": "grad", "backward": True, "cost_cpu": 9, "cost_ram": 5,
                             "id": 2}],
                  "links": [{"source": 0, "target": 1}, {"source": 1, "target": 2},
                            {"source": 0, "target": 2}]},
    "layered": {"directed": True, "multigraph": False, "graph": {"order": [0, 1, 2, 3]},
                "nodes": [{"out_cost": 7, "param_cost": 0, "duration": 2, "name": 0},
                          {"out_cost": 3, "param_cost": 4, "duration": 1, "name": 1},
                          {"out_cost": 5, "param_cost": 0, "duration": 3, "name": 2},
                          {"out_cost": 1, "param_cost": 0, "duration": 1, "name": 3}],
                "links": [{"0": 0, "1": 1}, {"0": 0, "1": 2}, {"0": 1, "1": 3},
                          {"0": 2, "1": 3}]},
}

GML_SEEDS = {
    "g5": """graph [
  directed 1
  # a comment
  node [ id 0 label "a" parameter 5 ]
  node [ id 1 label "b" parameter 2.0 ]
  node [ id 2 parameter 0 ]
  node [ id 3 label "d" parameter 4 ]
  node [ id 4 label "e" parameter 1 ]
  edge [ source 2 target 1 parameter 7 ]
  edge [ source 0 target 2 parameter 3 ]
  edge [ source 0 target 1 parameter 4 ]
  edge [ source 1 target 3 parameter 2 ]
  edge [ source 3 target 4 parameter 6 ]
]
""",
}

ACCEL_TOML_SEEDS = {
    "mini": '[units]\ncore = 1\n\n[[rules]]\nops = "*"\nunits = "core"\n'
            'latency = { fixed = 1, per_work = "1/4" }\n',
}


def _data(*parts):
    path = os.path.join(DATA, *parts)
    return path if os.path.exists(path) else None


def _read(path):
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8")


def _seeds():
    """All seed texts by format (the real files only when present)."""
    jobshop = dict(JOBSHOP_SEEDS)
    for name in ("ft06", "la01"):
        path = _data("jssp", f"{name}.txt")
        if path:
            jobshop[name] = _read(path)
    psplib = dict(PSPLIB_SEEDS)
    for sub, name in (("j30", "j301_1"), ("j30", "j3010_5"), ("j60", "j601_1")):
        path = _data("rcpsp", sub, f"{name}.sm")
        if path:
            psplib[name] = _read(path)
    graphs = {name: json.dumps(value, indent=1) for name, value in GRAPH_SEEDS.items()}
    path = _data("dnn", "moccasin", "VGG16_MLSys_256_224x224x3_test_nx.json")
    if path:
        graphs["vgg16"] = _read(path)
    gml = dict(GML_SEEDS)
    path = _data("dnn", "diffsched", "rand_graph_sparse_1000_1.gml")
    if path:
        gml["diffsched"] = _gml_head(_read(path), 12)
    accel_toml = dict(ACCEL_TOML_SEEDS)
    for name in ("npu-small", "npu-fallback", "gpu-like", "single-core"):
        path = os.path.join(EXAMPLES, f"{name}.toml")
        if os.path.exists(path):
            accel_toml[name] = _read(path)
    return jobshop, psplib, graphs, gml, accel_toml


def _gml_head(text, count):
    """The first `count` nodes of a GML graph and the edges among them (a small real seed)."""
    blocks = re.findall(r"\n  (node|edge) \[\n(.*?)\n  \]", text, re.S)
    keep = []
    ids = set()
    for kind, body in blocks:
        fields = dict(re.findall(r"^\s*(\w+) (\S+)", body, re.M))
        if kind == "node" and len(ids) < count:
            ids.add(fields["id"])
            keep.append(f"  node [\n{body}\n  ]")
        elif kind == "edge" and fields["source"] in ids and fields["target"] in ids:
            keep.append(f"  edge [\n{body}\n  ]")
    return "graph [\n  directed 1\n" + "\n".join(keep) + "\n]\n"


def _toml_to_json(text):
    """The JSON form of one of the example TOML descriptions (decimals kept as strings)."""
    import tomllib
    from decimal import Decimal

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, Decimal):
            return str(value)
        return value
    return json.dumps(plain(tomllib.loads(text, parse_float=Decimal)), indent=1)


# ---------------------------------------------------------------------- text mutations

def _generic(rng, text):
    """Mutations every text format must refuse: (label, bytes)."""
    data = text.encode("utf-8")
    at = rng.randrange(len(data) + 1)
    yield "empty", b""
    yield "blank", b"\n \n\t\n"
    yield "utf16", text.encode("utf-16")
    yield "latin1", data[:at] + b"\xe9t\xe9" + data[at:]
    yield "ff-byte", data[:at] + b"\xff" + data[at:]
    yield "nul", data[:at] + b"\x00" + data[at:]
    junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    yield "binary", b"\xff" + junk


_STRUCTURE = '[]{}",:=.-+0123456789 \t\n#*/\\aeE'


def random_edits(rng, text):
    """Blind edits whose effect is unknown (expect "any"): a span deleted, a span repeated,
    a few characters replaced by ones that matter to some syntax."""
    n = len(text)
    a = rng.randrange(n)
    b = min(n, a + rng.randrange(1, 60))
    yield "edit-delete", text[:a] + text[b:]
    yield "edit-repeat", text[:b] + text[a:b] * rng.randint(1, 3) + text[b:]
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        chars[rng.randrange(n)] = rng.choice(_STRUCTURE)
    yield "edit-replace", "".join(chars)


def _cut(rng, text, before_last=True):
    """A proper prefix, cut before the last non-blank character when `before_last`."""
    end = len(text.rstrip()) - (1 if before_last else 0)
    return text[:rng.randrange(max(1, end))]


def _numbers(text):
    return [m for m in re.finditer(r"(?<![\w.])-?\d+(?![\w.])", text)]


def _replace(text, match, new):
    return text[:match.start()] + new + text[match.end():]


# -------------------------------------------------------------------------- job shop

def _jobshop_cases(rng, name, text):
    lines = text.split("\n")
    rows = [k for k, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    head = rows[0]
    jobs, machines = map(int, lines[head].split())
    body = rows[1:]
    out = []

    def add(label, new, expect="error"):
        out.append((label, new if isinstance(new, bytes) else new.encode("utf-8"), expect))

    for label, data in _generic(rng, text):
        add(label, data)
    for label, edited in random_edits(rng, text):
        add(label, edited, "any")
    add("more-jobs", _set_line(lines, head, f"{jobs + rng.randint(1, 5)} {machines}"))
    add("fewer-jobs", _set_line(lines, head, f"{jobs - 1} {machines}"))
    add("no-machines", _set_line(lines, head, f"{jobs} 0"))
    add("header-3", _set_line(lines, head, f"{jobs} {machines} 7"))
    add("header-1", _set_line(lines, head, f"{jobs}"))
    add("neg-jobs", _set_line(lines, head, f"-{jobs} {machines}"))
    used = max(int(v) for k in body for v in lines[k].split()[0::2])
    add("machine-range", _set_line(lines, head, f"{jobs} {used}"))
    k = rng.choice(body)
    values = lines[k].split()
    add("odd-pair", _set_line(lines, k, " ".join(values[:-1])))
    p = rng.randrange(0, len(values), 2)
    for label, bad in (("neg-machine", "-1"), ("big-machine", str(machines + rng.randint(0, 9))),
                       ("float-machine", "1.0"), ("word-machine", "m1")):
        add(label, _set_line(lines, k, " ".join(values[:p] + [bad] + values[p + 1:])))
    for label, bad in (("neg-duration", str(-rng.randint(1, 99))), ("float-duration", "2.5"),
                       ("exp-duration", "1e3"), ("hex-duration", "0x10"),
                       ("arabic-digit", "\u0663"), ("long-number", "9" * 5000),
                       ("plus-minus", "+-3")):
        add(label, _set_line(lines, k, " ".join(values[:p + 1] + [bad] + values[p + 2:])))
    add("long-junk-line", "\n".join(lines[:k] + ["x" * 200_000] + lines[k:]))
    add("long-odd-line", _set_line(lines, k, "0 1 " * 50_000 + "0"))
    add("extra-line", text.rstrip("\n") + "\n" + lines[body[-1]] + "\n")
    add("drop-line", "\n".join(lines[:body[-1]] + lines[body[-1] + 1:]))
    cut = _cut(rng, text)
    add("truncated", cut, "any")
    # a cut that removes whole job lines: too few jobs, always
    add("truncated-lines", "\n".join(lines[:body[rng.randrange(len(body))]]) + "\n")
    return out


def _set_line(lines, k, new):
    return "\n".join(lines[:k] + [new] + lines[k + 1:])


def jobshop_hostile():
    """Valid job shops with hostile numbers: (label, text, optimum or None)."""
    big = 10**18
    top = 2**63 - 1
    return [
        ("dur-1e18-chain", f"1 2\n0 {big} 1 {big}\n", 2 * big),
        ("dur-1e18-machine", f"2 1\n0 {big}\n0 {big}\n", 2 * big),
        ("dur-int64-max", f"2 2\n0 {top} 1 {top}\n1 {top} 0 {top}\n", 2 * top),
        ("dur-1e30", f"2 2\n0 {10**30} 1 1\n1 {10**30} 0 1\n", 10**30 + 1),
        ("machines-1e9", "2 1000000000\n0 3 999999999 4\n999999999 2 0 5\n", None),
        ("zero-jobs", "0 3\n", 0),
        ("zero-durations", "2 2\n0 0 1 0\n1 0 0 0\n", 0),
        ("many-ops", "1 2\n" + " ".join(f"{k % 2} 1" for k in range(2000)) + "\n", 2000),
    ]


# ---------------------------------------------------------------------------- PSPLIB

def _psplib_layout(text):
    lines = text.split("\n")
    index = {}
    for k, line in enumerate(lines):
        for key in ("PRECEDENCE RELATIONS", "REQUESTS/DURATIONS", "RESOURCEAVAILABILITIES"):
            if line.startswith(key):
                index[key] = k
    prec = [k for k in range(index["PRECEDENCE RELATIONS"] + 2, len(lines))
            if re.match(r"\s*\d", lines[k])]
    prec = [k for k in prec if k < index["REQUESTS/DURATIONS"]]
    req = [k for k in range(index["REQUESTS/DURATIONS"] + 3, index["RESOURCEAVAILABILITIES"])
           if re.match(r"\s*\d", lines[k])]
    cap = index["RESOURCEAVAILABILITIES"] + 2
    jobs_line = next(k for k, line in enumerate(lines) if line.startswith("jobs (incl."))
    renewable = next(k for k, line in enumerate(lines) if "- renewable" in line)
    return lines, index, prec, req, cap, jobs_line, renewable


def _psplib_cases(rng, name, text):
    lines, index, prec, req, cap, jobs_line, renewable = _psplib_layout(text)
    out = []

    def add(label, new, expect="error"):
        out.append((label, new if isinstance(new, bytes) else new.encode("utf-8"), expect))

    for label, data in _generic(rng, text):
        add(label, data)
    for label, edited in random_edits(rng, text):
        add(label, edited, "any")
    successors = {int(lines[k].split()[0]): [int(v) for v in lines[k].split()[3:]]
                  for k in prec}
    n = len(prec)
    # a precedence line with one more successor than its count, and one fewer
    k = rng.choice([k for k in prec if len(lines[k].split()) > 3])
    v = lines[k].split()
    add("succ-count-up", _set_line(lines, k, " ".join(v[:2] + [str(int(v[2]) + 1)] + v[3:])))
    add("succ-count-down", _set_line(lines, k, " ".join(v[:2] + [str(int(v[2]) - 1)] + v[3:])))
    add("succ-unknown", _set_line(lines, k, " ".join(v[:2] + [str(int(v[2]) + 1)] + v[3:]
                                                     + [str(n + rng.randint(1, 50))])))
    add("succ-self", _set_line(lines, k, " ".join(v[:2] + [str(int(v[2]) + 1)] + v[3:]
                                                  + [v[0]])))
    add("succ-twice", _set_line(lines, k, " ".join(v[:2] + [str(int(v[2]) + 1)] + v[3:]
                                                   + [v[3]])))
    add("modes-2", _set_line(lines, k, " ".join(v[:1] + ["2"] + v[2:])))
    # a cycle: a job reachable from j becomes j's predecessor
    j = int(v[0])
    reach, stack = set(), list(successors[j])
    while stack:
        s = stack.pop()
        if s not in reach:
            reach.add(s)
            stack.extend(successors[s])
    back = rng.choice(sorted(reach))
    kb = next(k for k in prec if int(lines[k].split()[0]) == back)
    vb = lines[kb].split()
    add("cycle", _set_line(lines, kb, " ".join(vb[:2] + [str(int(vb[2]) + 1)] + vb[3:]
                                               + [str(j)])))
    add("prec-twice", "\n".join(lines[:k + 1] + [lines[k]] + lines[k + 1:]))
    add("prec-drop", "\n".join(lines[:k] + lines[k + 1:]))
    # requests
    k = rng.choice(req)
    v = lines[k].split()
    add("req-twice", "\n".join(lines[:k + 1] + [lines[k]] + lines[k + 1:]))
    add("req-drop", "\n".join(lines[:k] + lines[k + 1:]))
    add("req-mode-2", _set_line(lines, k, " ".join(v[:1] + ["2"] + v[2:])))
    add("req-neg-duration", _set_line(lines, k, " ".join(v[:2] + [f"-{rng.randint(1, 9)}"]
                                                         + v[3:])))
    add("req-float-duration", _set_line(lines, k, " ".join(v[:2] + ["2.5"] + v[3:])))
    add("req-long-duration", _set_line(lines, k, " ".join(v[:2] + ["7" * 5000] + v[3:])))
    r = rng.randrange(3, len(v))
    add("req-neg-demand", _set_line(lines, k, " ".join(v[:r] + ["-1"] + v[r + 1:])))
    capacity = int(lines[cap].split()[r - 3])
    add("req-over-capacity", _set_line(lines, k, " ".join(v[:r] + [str(capacity + 1)]
                                                          + v[r + 1:])))
    add("req-short", _set_line(lines, k, " ".join(v[:-1])))
    add("req-long", _set_line(lines, k, " ".join(v + ["0"])))
    add("req-word", _set_line(lines, k, " ".join(v[:2] + ["ten"] + v[3:])))
    add("long-junk-line", "\n".join(lines[:k] + ["q" * 200_000] + lines[k:]))
    # resources and announced counts
    c = lines[cap].split()
    add("cap-missing", _set_line(lines, cap, ""))
    add("cap-one-less", _set_line(lines, cap, "   " + "   ".join(c[:-1])))
    add("cap-one-more", _set_line(lines, cap, "   " + "   ".join(c + ["5"])))
    add("cap-negative", _set_line(lines, cap, "   " + "   ".join(["-3"] + c[1:])))
    add("cap-twice", "\n".join(lines[:cap + 1] + [lines[cap]] + lines[cap + 1:]))
    jobs = int(lines[jobs_line].split(":")[1])
    add("jobs-announced", _set_line(lines, jobs_line, f"jobs (incl. supersource/sink ):  "
                                                      f"{jobs + rng.choice([-2, -1, 1, 7])}"))
    add("renewable-announced", _set_line(lines, renewable, f"  - renewable                 :  "
                                                           f"{len(c) + 1}   R"))
    add("nonrenewable", text.replace("nonrenewable              :  0", "nonrenewable"
                                     "              :  1"))
    for section in ("PRECEDENCE RELATIONS", "REQUESTS/DURATIONS", "RESOURCEAVAILABILITIES"):
        label = "no-" + section.split()[0].split("/")[0].lower()
        add(label, text.replace(section, section[:5] + "_" + section[6:]))
    add("section-twice", text + "PRECEDENCE RELATIONS:\n")
    # a cut inside the sections: what is left is always incomplete
    add("truncated", text[:rng.randrange(len("\n".join(lines[:index["PRECEDENCE RELATIONS"]])),
                                         len("\n".join(lines[:cap])))])
    add("truncated-anywhere", _cut(rng, text), "any")
    return out


def psplib_hostile():
    big = 10**18
    return [
        ("dur-1e18", _psplib_text([0, big, big, 0], [[2, 3], [4], [4], []],
                                  [[0], [1], [1], [0]], [1]), 2 * big),
        ("cap-1e30", _psplib_text([0, 5, 5, 0], [[2, 3], [4], [4], []],
                                  [[0], [10**29], [10**29], [0]], [10**30]), 5),
        ("dur-zero", _psplib_text([0, 0, 0, 0], [[2, 3], [4], [4], []],
                                  [[0], [1], [1], [0]], [1]), 0),
    ]


# ------------------------------------------- other project formats (.fjs .mm .sch .rcp)

# the files of ../shared/data/pyjobshop/ used as seeds (small ones: a mutation that leaves a
# file valid is solved for up to the test's --timeout); the hand-written .fjs is always there
PROJECT_FILES = ("small.fjs", "MFJS1.fjs", "c154_3.mm", "small.mm", "UBO10_01.sch",
                 "aslib0_0.rcp")
FJS_SEEDS = {"fjs2": "2 2 1.5\n2 1 1 3 2 1 2 2 2\n1 2 1 4 2 5\n"}


def _project_seeds():
    """(name, suffix, text) of every project-format seed present."""
    seeds = [(name, ".fjs", text) for name, text in FJS_SEEDS.items()]
    for file in PROJECT_FILES:
        path = _data("pyjobshop", file)
        if path:
            stem, suffix = os.path.splitext(file)
            seeds.append((stem, suffix, _read(path)))
    return seeds


def _project_cases(rng, name, text):
    """Mutations of a file in a format read through psplib or our FJSPLIB reader: the
    generic ones must be refused; the rest (a number made a word, negative, fractional or
    huge; a line dropped or repeated; a cut) may leave a valid file (a header number nobody
    reads, a negative lag of RCPSP/max), so they must give a positioned error or an answer,
    never a traceback."""
    out = []

    def add(label, new, expect="any"):
        out.append((label, new if isinstance(new, bytes) else new.encode("utf-8"), expect))

    for label, data in _generic(rng, text):
        add(label, data, "error")
    for label, edited in random_edits(rng, text):
        add(label, edited)
    numbers = _numbers(text)
    for label, new in (("num-word", "ten"), ("num-neg", f"-{rng.randint(1, 9)}"),
                       ("num-float", "2.5"), ("num-huge", "7" * 400), ("num-empty", "")):
        add(label, _replace(text, rng.choice(numbers), new))
    lines = text.split("\n")
    filled = [k for k, line in enumerate(lines) if line.strip()]
    k = rng.choice(filled)
    add("line-drop", "\n".join(lines[:k] + lines[k + 1:]))
    add("line-twice", "\n".join(lines[:k + 1] + [lines[k]] + lines[k + 1:]))
    add("truncated-anywhere", _cut(rng, text))
    return out


# ---------------------------------------------------------------------- JSON graphs

def _json_graph_cases(rng, name, text):
    data = json.loads(text)
    out = []

    def add(label, new, expect="error"):
        if not isinstance(new, (str, bytes)):
            new = json.dumps(new, indent=1)
        out.append((label, new if isinstance(new, bytes) else new.encode("utf-8"), expect))

    for label, raw in _generic(rng, text):
        add(label, raw)
    for label, edited in random_edits(rng, text):
        add(label, edited, "any")
    add("truncated", _cut(rng, text))
    add("top-array", "[" + text + "]")
    add("top-string", '"graph"')
    add("top-null", "null")
    add("deep", '{"nodes": ' + "[" * 3000 + "]" * 3000 + "}")
    add("deep-value", text.replace("{", "{\"x\": " + "[" * 2000 + "]" * 2000 + ", ", 1))
    add("trailing", text + "\n{}")
    add("nan-literal", "NaN")
    add("utf8-bom-then-junk", b"\xef\xbb\xbf\xef\xbb\xbf" + text.encode())
    if "operators" in data:
        out += _ops_form(rng, data, add)
    elif "links" in data:
        out += _node_link(rng, data, add)
    else:
        out += _node_form(rng, data, add)
    # a key written twice in the text (json.loads would keep the last)
    m = re.search(r'"(work|cost_cpu|duration|size|name)": ([^,\n}]+)', text)
    if m:
        add("duplicate-key", text[:m.start()] + f'"{m.group(1)}": {m.group(2)}, ' +
            text[m.start():])
    numbers = [m for m in re.finditer(r'"(work|cost_cpu|duration|size|output_bytes|cost_ram|'
                                      r'out_cost)": (\d+)', text)]
    if numbers:
        m = rng.choice(numbers)
        for label, bad in (("long-number", "8" * 5000), ("nan", "NaN"), ("inf", "Infinity"),
                           ("neg-inf", "-Infinity"), ("huge-exp", "1e999999999"),
                           ("neg", "-1"), ("fraction", "0.5"), ("exp", "1e3")):
            add(f"value-{label}", text[:m.start(2)] + bad + text[m.end(2):])
    return out


def _pick(rng, items):
    return rng.randrange(len(items))


def _node_form(rng, data, add):
    out = []
    k = _pick(rng, data["nodes"])
    name = data["nodes"][k]["name"]

    def variant(change):
        copy = json.loads(json.dumps(data))
        change(copy)
        return copy

    for key in ("name", "work"):
        add(f"missing-{key}", variant(lambda d: d["nodes"][k].pop(key)))
    for label, bad in (("neg", -5), ("float", 1.5), ("string", "3"), ("null", None),
                       ("bool", True), ("list", [1]), ("object", {})):
        add(f"work-{label}", variant(lambda d: d["nodes"][k].__setitem__("work", bad)))
        add(f"bytes-{label}", variant(lambda d: d["nodes"][k].__setitem__("output_bytes", bad)))
    add("unknown-key", variant(lambda d: d["nodes"][k].__setitem__("wrok", 1)))
    add("dup-node", variant(lambda d: d["nodes"].append(dict(d["nodes"][k]))))
    add("empty-name", variant(lambda d: d["nodes"][k].__setitem__("name", "")))
    add("ctrl-name", variant(lambda d: d["nodes"][k].__setitem__("name", "a\nb")))
    add("surrogate-name", json.dumps(variant(lambda d: d["nodes"][k].__setitem__(
        "name", "x"))).replace('"x"', '"\\ud800"'))
    add("edge-unknown", variant(lambda d: d["edges"].append([name, "nowhere"])))
    add("edge-self", variant(lambda d: d["edges"].append([name, name])))
    if data["edges"]:
        e = rng.choice(data["edges"])
        add("edge-reverse", variant(lambda d: d["edges"].append([e[1], e[0]])))
        add("edge-twice", variant(lambda d: d["edges"].append(list(e))))
        add("edge-triple", variant(lambda d: d["edges"].append(list(e) + ["x"])))
    add("nodes-object", variant(lambda d: d.__setitem__("nodes", {"a": 1})))
    add("edges-string", variant(lambda d: d.__setitem__("edges", "a->b")))
    return out


def _ops_form(rng, data, add):
    out = []
    k = _pick(rng, data["operators"])

    def variant(change):
        copy = json.loads(json.dumps(data))
        change(copy)
        return copy

    op = data["operators"][k]
    add("missing-tensors", variant(lambda d: d.pop("tensors")))
    add("op-unknown-input", variant(lambda d: d["operators"][k]["inputs"].append("ghost")))
    add("op-dup", variant(lambda d: d["operators"].append(dict(d["operators"][k]))))
    add("tensor-dup", variant(lambda d: d["tensors"].append(dict(d["tensors"][0]))))
    add("tensor-neg", variant(lambda d: d["tensors"][0].__setitem__("size", -1)))
    add("tensor-two-writers", variant(lambda d: d["operators"][1 - k]["outputs"].extend(
        [t for t in op["outputs"] if t not in d["operators"][1 - k]["outputs"]])))
    add("cycle", variant(lambda d: d["operators"][0]["inputs"].append("z")))
    add("order-unknown", variant(lambda d: d["order"].append("ghost")))
    add("order-reversed", variant(lambda d: d["order"].reverse()))
    add("order-short", variant(lambda d: d["order"].pop()))
    add("is-output-string", variant(lambda d: d["tensors"][0].__setitem__("is_output", "yes")))
    add("weight-neg", variant(lambda d: d["operators"][k].__setitem__("weight_bytes", -8)))
    add("kind-number", variant(lambda d: d["operators"][k].__setitem__("kind", 7)))
    return out


def _node_link(rng, data, add):
    out = []
    ids = "id" if "id" in data["nodes"][0] else "name"
    ends = ("source", "target") if "source" in data["links"][0] else ("0", "1")
    work = "cost_cpu" if "cost_cpu" in data["nodes"][0] else "duration"
    k = _pick(rng, data["nodes"])

    def variant(change):
        copy = json.loads(json.dumps(data))
        change(copy)
        return copy

    node_id = data["nodes"][k][ids]
    add("undirected", variant(lambda d: d.__setitem__("directed", False)))
    add("missing-id", variant(lambda d: d["nodes"][k].pop(ids)))
    add("missing-work", variant(lambda d: d["nodes"][k].pop(work)))
    add("dup-id", variant(lambda d: d["nodes"].append(dict(d["nodes"][k]))))
    add("id-float", variant(lambda d: d["nodes"][k].__setitem__(ids, 1.5)))
    add("id-list", variant(lambda d: d["nodes"][k].__setitem__(ids, [1])))
    add("neg-work", variant(lambda d: d["nodes"][k].__setitem__(work, -1)))
    add("link-unknown", variant(lambda d: d["links"].append({ends[0]: node_id,
                                                             ends[1]: 987654})))
    add("link-self", variant(lambda d: d["links"].append({ends[0]: node_id, ends[1]: node_id})))
    link = rng.choice(data["links"])
    add("link-reverse", variant(lambda d: d["links"].append({ends[0]: link[ends[1]],
                                                             ends[1]: link[ends[0]]})))
    add("link-missing-end", variant(lambda d: d["links"].append({ends[0]: node_id})))
    add("links-null", variant(lambda d: d.__setitem__("links", None)))
    add("node-string", variant(lambda d: d["nodes"].append("node")))
    return out


def graph_hostile():
    return [
        ("work-1e30", json.dumps({"nodes": [{"name": "a", "work": 10**30,
                                             "output_bytes": 10**30}]}), None),
        ("chain-1e18", json.dumps({"nodes": [{"name": "a", "work": 10**18, "output_bytes": 1},
                                             {"name": "b", "work": 10**18}],
                                   "edges": [["a", "b"]]}), None),
        ("empty-graph", json.dumps({"nodes": []}), 0),
        ("wide-3000", json.dumps({"nodes": [{"name": f"n{k}", "work": 1} for k in range(3000)]}),
         None),
        ("long-name", json.dumps({"nodes": [{"name": "n" * 100_000, "work": 1}]}), None),
    ]


# ------------------------------------------------------------------------------- GML

def _gml_cases(rng, name, text):
    out = []

    def add(label, new, expect="error"):
        out.append((label, new if isinstance(new, bytes) else new.encode("utf-8"), expect))

    for label, raw in _generic(rng, text):
        add(label, raw)
    for label, edited in random_edits(rng, text):
        add(label, edited, "any")
    add("truncated", _cut(rng, text))
    add("undirected", text.replace("directed 1", "directed 0"))
    add("no-directed", text.replace("directed 1", ""))
    add("two-graphs", text + text)
    add("no-graph", text.replace("graph [", "grph [", 1))
    add("extra-close", text + "]\n")
    add("unclosed", text.rstrip().rstrip("]"))
    add("junk-char", text.replace("node [", "node @ [", 1))
    add("open-string", text.rstrip()[:-1] + 'label "never closed ]\n')
    add("deep", "graph [ directed 1 " + "a [ " * 3000 + "]" * 3000 + " ]", "any")
    ids = re.findall(r"id (\d+)", text)
    node = rng.choice(ids)
    add("dup-id", text.replace("\n]", f"\n  node [ id {node} ]\n]"))
    add("edge-unknown", text.replace("\n]", f"\n  edge [ source {node} target 99999 ]\n]"))
    add("edge-self", text.replace("\n]", f"\n  edge [ source {node} target {node} ]\n]"))
    add("edge-no-target", text.replace("\n]", f"\n  edge [ source {node} ]\n]"))
    add("node-no-id", text.replace("\n]", "\n  node [ label \"q\" ]\n]"))
    add("node-value", text.replace("\n]", "\n  node 5\n]"))
    add("label-number", text.replace("\n]", "\n  node [ id 77777 label 5 ]\n]"))
    add("label-ctrl", text.replace("\n]", "\n  node [ id 77777 label \"a\tb\" ]\n]"))
    edges = re.findall(r"source (\d+)\s+target (\d+)", text)
    if edges:
        s, t = rng.choice(edges)
        add("edge-reverse", text.replace("\n]", f"\n  edge [ source {t} target {s} ]\n]"))
        add("edge-twice", text.replace("\n]", f"\n  edge [ source {s} target {t} ]\n]"))
    params = list(re.finditer(r"parameter (\S+)", text))
    m = rng.choice(params)
    for label, bad in (("neg", "-4"), ("fraction", "2.5"), ("string", '"4"'),
                       ("long", "6" * 5000), ("inf", "1e999"), ("list", "[ 1 ]")):
        add(f"param-{label}", text[:m.start(1)] + bad + text[m.end(1):])
    m = rng.choice(list(re.finditer(r"id (\d+)", text)))
    add("id-neg", text[:m.start(1)] + "-1" + text[m.end(1):])
    return out


def gml_hostile():
    return [
        ("param-1e25", "graph [ directed 1 node [ id 0 parameter 10000000000000000000000000 ] "
                       "node [ id 1 ] edge [ source 0 target 1 parameter 3 ] ]", None),
        ("real-1e300", "graph [ directed 1 node [ id 0 parameter 1e300 ] ]", None),
        ("empty-graph", "graph [ directed 1 ]", 0),
    ]


# -------------------------------------------------------------------- accelerators

def _accel_toml_cases(rng, name, text):
    out = []

    def add(label, new, expect="error"):
        out.append((label, new if isinstance(new, bytes) else new.encode("utf-8"), expect))

    for label, raw in _generic(rng, text):
        add(label, raw)
    for label, edited in random_edits(rng, text):
        add(label, edited, "any")
    add("no-units", re.sub(r"\[units\]\n(\w+ = \d+\n)+", "", text))
    add("no-rules", re.sub(r"\[\[rules\]\](.|\n)*", "", text))
    units = re.search(r"^\[units\]\n((?:\w+ = \d+\n)+)", text, re.M)
    counts = list(re.finditer(r"^(\w+) = (\d+)$", text[:units.end()], re.M))
    counts = [c for c in counts if c.start() >= units.start(1)]
    m = rng.choice(counts)
    for label, bad in (("zero", "0"), ("neg", "-2"), ("string", '"2"'), ("float", "1.5"),
                       ("long", "5" * 5000), ("date", "1979-05-27"), ("inf", "inf")):
        add(f"units-{label}", text[:m.start(2)] + bad + text[m.end(2):])
    add("units-reserved", text.replace(f"\n{m.group(1)} = ", "\nnone = ", 1))
    add("dup-key", text[:m.end()] + "\n" + m.group(0) + text[m.end():])
    add("unknown-top-key", "colour = \"red\"\n" + text)
    add("rule-unknown-unit", re.sub(r'^units = \[?"(\w+)"', 'units = ["nowhere"', text,
                                    count=1, flags=re.M))
    add("rule-ops-empty", re.sub(r"^ops = [^\n]+", "ops = []", text, count=1, flags=re.M))
    add("rule-ops-number", re.sub(r"^ops = [^\n]+", "ops = 5", text, count=1, flags=re.M))
    fixed = list(re.finditer(r"^(?!#)[^\n]*?fixed = (\d+)", text, re.M))
    if fixed:
        m = rng.choice(fixed)
        for label, bad in (("neg", "-1"), ("float", "0.5"), ("string", '"3"')):
            add(f"fixed-{label}", text[:m.start(1)] + bad + text[m.end(1):])
    per = list(re.finditer(r'^(?!#)[^\n]*?per_work = ("[^"]*"|[\d.]+)', text, re.M))
    if per:
        m = rng.choice(per)
        for label, bad in (("div0", '"1/0"'), ("neg", '"-1/4"'), ("word", '"fast"'),
                           ("huge-exp", '"1e99999999"'), ("tiny-exp", '"1e-99999999"'),
                           ("nan", "nan"), ("inf", "inf"), ("big-exp", "1e99999999"),
                           ("long", '"' + "3" * 5000 + '"'), ("frac-float", '"1.5/2"')):
            add(f"per-work-{label}", text[:m.start(1)] + bad + text[m.end(1):])
    add("latency-neg", re.sub(r"^latency = \S+", "latency = -3 #", text, count=1,
                              flags=re.M))
    add("latency-unknown-unit", re.sub(r"^latency(\.\w+)? = ", "latency.ghost = ", text,
                                       count=1, flags=re.M))
    mem = re.search(r'^memory = ("[^"]*")$', text, re.M)
    for label, bad in (("unit", '"8 XB"'), ("neg", "-5"), ("fraction", '"0.5 B"'),
                       ("long", '"' + "4" * 5000 + ' MiB"'), ("huge-exp", "1e99999999"),
                       ("list", "[1]")):
        if mem:
            add(f"memory-{label}", text[:mem.start(1)] + bad + text[mem.end(1):])
        else:
            add(f"memory-{label}", f"memory = {bad}\n" + text)
    add("deep", "x = " + "[" * 3000 + "]" * 3000 + "\n" + text)
    add("deep-inline", "x = " + "{a = " * 500 + "1" + "}" * 500 + "\n" + text)
    add("truncated", _cut(rng, text, before_last=False), "any")
    add("long-line", text + "\n" + "k" * 200_000 + "\n")
    return out


def _accel_json_cases(rng, name, text):
    data = json.loads(text)
    out = []

    def add(label, new, expect="error"):
        if not isinstance(new, (str, bytes)):
            new = json.dumps(new, indent=1)
        out.append((label, new if isinstance(new, bytes) else new.encode("utf-8"), expect))

    def variant(change):
        copy = json.loads(text)
        change(copy)
        return copy

    for label, raw in _generic(rng, text):
        add(label, raw)
    for label, edited in random_edits(rng, text):
        add(label, edited, "any")
    add("truncated", _cut(rng, text))
    add("top-list", [data])
    add("deep", '{"units": ' + "[" * 3000 + "]" * 3000 + "}")
    kind = rng.choice(sorted(data["units"]))
    for label, bad in (("zero", 0), ("neg", -1), ("float", 2.5), ("string", "2"),
                       ("null", None), ("bool", True)):
        add(f"units-{label}", variant(lambda d: d["units"].__setitem__(kind, bad)))
    add("units-empty", variant(lambda d: d.__setitem__("units", {})))
    add("rules-empty", variant(lambda d: d.__setitem__("rules", [])))
    add("rules-object", variant(lambda d: d.__setitem__("rules", {"ops": "*"})))
    k = _pick(rng, data["rules"])
    add("rule-no-ops", variant(lambda d: d["rules"][k].pop("ops")))
    add("rule-unknown-key", variant(lambda d: d["rules"][k].__setitem__("opz", "*")))
    add("rule-unit-ghost", variant(lambda d: d["rules"][k].__setitem__("units", ["ghost"])))
    add("rule-unit-twice", variant(lambda d: d["rules"][k].__setitem__(
        "units", [kind, kind])))
    add("latency-neg", variant(lambda d: d["rules"][k].__setitem__("latency", -1)))
    add("latency-string", variant(lambda d: d["rules"][k].__setitem__("latency", "fast")))
    add("per-work-div0", variant(lambda d: d["rules"][k].__setitem__(
        "latency", {"per_work": "1/0"})))
    add("memory-neg", variant(lambda d: d.__setitem__("memory", -1)))
    add("memory-word", variant(lambda d: d.__setitem__("memory", "lots")))
    add("dup-key", text.replace('"units": {', '"units": {"x": 1}, "units": {', 1))
    for label, bad in (("nan", "NaN"), ("inf", "Infinity"), ("huge", "1e99999999"),
                       ("tiny", "1e-99999999"), ("long", "7" * 5000)):
        add(f"per-work-{label}", text.replace('"rules": [', '"rules": [{"ops": "*", "units": '
                                              f'"{kind}", "latency": {{"per_work": {bad}}}}}, ',
                                              1))
        add(f"memory-{label}", text.replace("{", f'{{"memory": {bad}, ', 1))
    return out


def accel_hostile():
    rule = '[[rules]]\nops = "*"\nunits = "core"\n'
    return [
        ("units-1e9", "[units]\ncore = 1000000000\n" + rule + "latency = 1\n"),
        ("units-1e18", "[units]\ncore = 1000000000000000000\n" + rule + "latency = 1\n"),
        ("latency-1e21", "[units]\ncore = 1\n" + rule + "latency = 1000000000000000000000\n"),
        ("per-work-1e300", "[units]\ncore = 1\n" + rule
         + 'latency = { per_work = "1e300" }\n'),
        ("memory-1e400", "memory = 1e400\n[units]\ncore = 1\n" + rule + "latency = 1\n"),
        ("memory-1-byte", "memory = 1\n[units]\ncore = 1\n" + rule + "latency = 1\n"),
    ]


# -------------------------------------------------------------------------------- ONNX

def onnx_seeds():
    """Small models built with onnx.helper: name -> ModelProto (needs onnx)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    def model(nodes, inputs, outputs, inits=()):
        graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])
    w = numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float32), "w")
    fc = numpy_helper.from_array(np.ones((36, 10), np.float32), "fc")
    shape = numpy_helper.from_array(np.array([1, 36], np.int64), "shape")
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    chain = model([helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[0, 0, 0, 0]),
                   helper.make_node("Relu", ["c"], ["r"], name="relu"),
                   helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2],
                                    strides=[2, 2]),
                   helper.make_node("Reshape", ["p", "shape"], ["f"], name="flatten"),
                   helper.make_node("MatMul", ["f", "fc"], ["y"], name="dense")],
                  [x], [y], [w, fc, shape])
    v = helper.make_tensor_value_info("v", TensorProto.FLOAT, [2, 16])
    diamond = model([helper.make_node("Relu", ["v"], ["a"], name="left"),
                     helper.make_node("Sigmoid", ["v"], ["b"], name="right"),
                     helper.make_node("Add", ["a", "b"], ["s"], name="join"),
                     helper.make_node("Softmax", ["s"], ["y"], name="soft", axis=1)],
                    [v], [y])
    return {"chain": chain, "diamond": diamond}


def _onnx_cases(rng, name, model):
    from onnx import TensorProto, helper

    out = []
    data = model.SerializeToString()

    def add(label, new, expect="error", names=()):
        if not isinstance(new, bytes):
            new = new.SerializeToString()
        out.append((label, new, expect, tuple(names)))

    def variant(change):
        copy = type(model)()
        copy.CopyFrom(model)
        change(copy)
        return copy

    add("empty", b"", "error")
    add("junk", bytes(rng.randrange(256) for _ in range(300)), "any")
    add("text", b"this is not a protobuf\n", "any")
    for k in range(4):
        add(f"truncated-{k}", data[:rng.randrange(1, len(data))], "any")
    flipped = bytearray(data)
    for _ in range(3):
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
    add("bit-flips", bytes(flipped), "any")
    nodes = list(model.graph.node)
    k = rng.randrange(len(nodes))
    node = nodes[k]
    first = nodes[0]
    last = nodes[-1]

    def cycle(m):
        m.graph.node[0].input.append(m.graph.node[-1].output[0])
    add("cycle", variant(cycle), names=[n.name for n in nodes])

    def self_loop(m):
        m.graph.node[k].input.append(m.graph.node[k].output[0])
    add("self-loop", variant(self_loop), names=[node.name])

    def undefined(m):
        m.graph.node[k].input.append("ghost")
    add("undefined-input", variant(undefined), names=[node.name, "ghost"])

    def twice(m):
        extra = m.graph.node.add()
        extra.CopyFrom(m.graph.node[k])
        extra.name = "again"
    add("output-twice", variant(twice), names=["again", node.name])

    def unwritten(m):
        m.graph.output[0].name = "never"
    add("output-unwritten", variant(unwritten), names=["never"])

    def negative(m):
        dim = m.graph.input[0].type.tensor_type.shape.dim[-1]
        dim.dim_value = -4
    add("negative-dim", variant(negative), names=[model.graph.input[0].name])

    def symbolic(m):
        dim = m.graph.input[0].type.tensor_type.shape.dim[-1]
        dim.dim_param = "width"
    add("unbound-dim", variant(symbolic), names=[model.graph.input[0].name])

    def string_type(m):
        m.graph.input[0].type.tensor_type.elem_type = TensorProto.STRING
    add("string-input", variant(string_type), names=[model.graph.input[0].name, first.name])

    def no_shape(m):
        m.graph.input[0].type.tensor_type.ClearField("shape")
    add("no-shape", variant(no_shape), names=[model.graph.input[0].name])

    def no_graph(m):
        m.ClearField("graph")
    add("no-graph", variant(no_graph), "error", names=["graph"])

    def unknown_op(m):
        m.graph.node[k].op_type = "Frobnicate"
    add("unknown-op", variant(unknown_op), names=[node.name])

    def custom_domain(m):
        m.graph.node[k].domain = "com.example"
    add("custom-domain", variant(custom_domain), names=[node.name])

    def bad_attribute(m):
        m.graph.node[0].attribute.append(helper.make_attribute("strides", [0, 0]))
    if first.op_type in ("Conv", "MaxPool"):
        add("zero-strides", variant(bad_attribute), names=[first.name])

    def bad_kernel(m):
        for n in m.graph.node:
            if n.op_type == "MaxPool":
                del n.attribute[:]
                n.attribute.append(helper.make_attribute("kernel_shape", [0, -1]))
    if any(n.op_type == "MaxPool" for n in nodes):
        add("bad-kernel", variant(bad_kernel), names=["pool"])

    def bad_reshape(m):
        for t in m.graph.initializer:
            if t.name == "shape":
                t.ClearField("int64_data")
                t.raw_data = (7).to_bytes(8, "little") * 2
    if any(n.op_type == "Reshape" for n in nodes):
        add("bad-reshape", variant(bad_reshape), names=["flatten", "f"])

    def bad_matmul(m):
        for t in m.graph.initializer:
            if t.name == "fc":
                t.dims[0] = 7
                t.raw_data = b"\0" * (7 * 10 * 4)
                t.ClearField("float_data")
    if any(n.op_type == "MatMul" for n in nodes):
        add("bad-matmul", variant(bad_matmul), names=["dense", "f", "y"])

    def missing_input(m):
        del m.graph.node[k].input[:]
    add("no-inputs", variant(missing_input), names=[node.name] + list(node.output))

    # blind damage of known kind but unknown effect
    def random_dims(m):
        infos = list(m.graph.input) + list(m.graph.value_info) + list(m.graph.output)
        dims = [d for i in infos for d in i.type.tensor_type.shape.dim]
        for d in rng.sample(dims, min(len(dims), rng.randint(1, 3))):
            d.dim_value = rng.choice([0, 1, 2, 7, 10**9, 10**15, 2**62])
    add("random-dims", variant(random_dims), "any")

    def random_attribute(m):
        n = m.graph.node[rng.randrange(len(m.graph.node))]
        for a in n.attribute:
            if a.ints:
                a.ints[rng.randrange(len(a.ints))] = rng.choice([0, -1, 2**40, 3])
            elif a.type == a.INT:
                a.i = rng.choice([0, -1, 2**40, 5])
        n.attribute.append(helper.make_attribute(rng.choice(["group", "axis", "keepdims"]),
                                                 rng.choice([0, -7, 2**33])))
    add("random-attribute", variant(random_attribute), "any")

    def drop_node(m):
        del m.graph.node[rng.randrange(len(m.graph.node))]
    add("drop-node", variant(drop_node), "any")

    def swap_inputs(m):
        n = m.graph.node[rng.randrange(len(m.graph.node))]
        names = [t for node in m.graph.node for t in node.output] + ["x", "v", "w"]
        if n.input:
            n.input[rng.randrange(len(n.input))] = rng.choice(names)
    add("swap-input", variant(swap_inputs), "any")

    def initializer_dims(m):
        if m.graph.initializer:
            t = m.graph.initializer[rng.randrange(len(m.graph.initializer))]
            if t.dims:
                t.dims[rng.randrange(len(t.dims))] = rng.choice([0, 3, 10**12])
    add("initializer-dims", variant(initializer_dims), "any")

    def ctrl_name(m):
        m.graph.node[k].name = "bad\nname"
    add("ctrl-name", variant(ctrl_name), names=["bad\\nname"])
    return out


def onnx_hostile():
    """Valid ONNX models with hostile numbers: (label, ModelProto)."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)

    def model(nodes, inputs, inits=()):
        graph = helper.make_graph(nodes, "g", inputs, [y], list(inits))
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])

    huge = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 10**15, 10**15])
    scalars = [numpy_helper.from_array(np.array(v, np.int64), n)
               for n, v in (("zero", 0), ("limit", 10**12), ("one", 1))]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    return [
        ("dims-1e15", model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [huge])),
        ("range-1e12", model([helper.make_node("Range", ["zero", "limit", "one"], ["r"],
                                               name="range"),
                              helper.make_node("Cast", ["r"], ["rf"], name="cast", to=1),
                              helper.make_node("ReduceSum", ["rf"], ["s"], name="sum",
                                               keepdims=1),
                              helper.make_node("Add", ["x", "s"], ["y"], name="add")],
                             [x], scalars)),
    ]


# -------------------------------------------------------------------------------- corpus

def corpus(rounds=1, with_onnx=True, seed=RANDOM_SEED):
    """The cases: `rounds` mutation rounds over every seed file (CI: 1, with RANDOM_SEED)."""
    rng = random.Random(seed)
    jobshop, psplib, graphs, gml, accel_toml = _seeds()
    accel_json = {name: _toml_to_json(text) for name, text in accel_toml.items()}
    cases = []
    seen = set()

    def add(kind, suffix, label, data, expect, names=(), objective=None):
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", label)
        while name in seen:
            name += "x"
        seen.add(name)
        cases.append(Case(name, kind, suffix, data, expect, names, objective))

    for r in range(rounds):
        for seed, text in jobshop.items():
            for label, data, expect in _jobshop_cases(rng, seed, text):
                add("jobshop", ".txt", f"js-{seed}-{label}-{r}", data, expect)
        for seed, text in psplib.items():
            for label, data, expect in _psplib_cases(rng, seed, text):
                add("psplib", ".sm", f"sm-{seed}-{label}-{r}", data, expect)
        for seed, text in graphs.items():
            for label, data, expect in _json_graph_cases(rng, seed, text):
                add("graph", ".json", f"json-{seed}-{label}-{r}", data, expect)
        for seed, text in gml.items():
            for label, data, expect in _gml_cases(rng, seed, text):
                add("graph", ".gml", f"gml-{seed}-{label}-{r}", data, expect)
        for seed, text in accel_toml.items():
            for label, data, expect in _accel_toml_cases(rng, seed, text):
                add("accel", ".toml", f"toml-{seed}-{label}-{r}", data, expect)
        for seed, text in accel_json.items():
            for label, data, expect in _accel_json_cases(rng, seed, text):
                add("accel", ".json", f"acc-{seed}-{label}-{r}", data, expect)
        for seed, suffix, text in _project_seeds():
            for label, data, expect in _project_cases(rng, seed, text):
                add("project", suffix, f"{suffix[1:]}-{seed}-{label}-{r}", data, expect)
        if with_onnx:
            for seed, model in onnx_seeds().items():
                for label, data, expect, names in _onnx_cases(rng, seed, model):
                    add("onnx", ".onnx", f"onnx-{seed}-{label}-{r}", data, expect, names)
    return cases


def hostile(with_onnx=True):
    """The valid but hostile cases (no mutation, no randomness)."""
    cases = []
    for label, text, optimum in jobshop_hostile():
        cases.append(Case(f"js-{label}", "jobshop", ".txt", text.encode(), "valid",
                          objective=optimum))
    for label, text, optimum in psplib_hostile():
        cases.append(Case(f"sm-{label}", "psplib", ".sm", text.encode(), "valid",
                          objective=optimum))
    for label, text, optimum in graph_hostile():
        cases.append(Case(f"json-{label}", "graph", ".json", text.encode(), "valid",
                          objective=optimum))
    for label, text, optimum in gml_hostile():
        cases.append(Case(f"gml-{label}", "graph", ".gml", text.encode(), "valid",
                          objective=optimum))
    for label, text in accel_hostile():
        cases.append(Case(f"toml-{label}", "accel", ".toml", text.encode(), "valid"))
    if with_onnx:
        for label, model in onnx_hostile():
            cases.append(Case(f"onnx-{label}", "onnx", ".onnx", model.SerializeToString(),
                              "valid"))
    return cases
