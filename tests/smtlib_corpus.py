"""A deterministic corpus of malformed (and a few valid) SMT-LIB scripts for the front end.

`corpus()` returns a list of `Case`s generated from the hand-written seed scripts below (and,
when ../shared/data/smtlib (or $SMTSCHED_DATA/smtlib) exists, from the first few KB of some benchmark files) with a
fixed-seed `random.Random`: the same list on every run and every machine (the optional data
files only add cases).

A case knows its expected sat/unsat answers (`answers`) when the mutation kept the script valid
(comments, whitespace, |quoted| symbols, line endings, harmless set-info/echo commands);
otherwise `answers` is None and only the shape of the output is checked.
"""
import os
import random
import re
from dataclasses import dataclass, field

RANDOM_SEED = 20240611
DEEP = 100_000  # nesting depth of the deep cases
DATA_DIR = os.environ.get("SMTSCHED_SMTLIB_DATA") or os.path.join(
    os.environ.get("SMTSCHED_DATA")
    or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"),
    "smtlib")


@dataclass
class Case:
    name: str
    source: bytes
    answers: list = None          # expected check-sat answers, when known
    clean: bool = False           # no error expected at all (valid script)
    tags: set = field(default_factory=set)


@dataclass
class Seed:
    name: str
    text: str
    answers: list
    logic: str
    ints: list = field(default_factory=list)    # numeric constants (Int in IDL, Real in RDL)
    bools: list = field(default_factory=list)


# ------------------------------------------------------------------------------- seeds
SEEDS = [
    Seed("idl-sched", """\
(set-info :smt-lib-version 2.6)
(set-logic QF_IDL)
(set-option :produce-models true)
; three tasks on one machine
(declare-fun s1 () Int)
(declare-fun s2 () Int)
(declare-const s3 Int)
(declare-const late Bool)
(define-fun dur1 () Int 3)
(define-fun before ((a Int) (b Int) (d Int)) Bool (<= (+ a d) b))
(assert (>= s1 0))
(assert (before s1 s2 dur1))
(assert (! (before s2 s3 2) :named prec23))
(assert (let ((gap (- s3 s1))) (=> late (> gap 10))))
(check-sat)
(get-model)
(get-value (s1 s2 (- s3 s1) prec23))
(push 1)
(assert (< s3 4))
(check-sat)
(pop 1)
(check-sat-assuming (late (not (< s3 20))))
(get-value (late))
(check-sat)
(exit)
""", ["sat", "unsat", "sat", "sat"], "QF_IDL", ["s1", "s2", "s3"], ["late"]),

    Seed("rdl-core", """\
(set-logic QF_RDL)
(set-option :produce-unsat-cores true)
(declare-fun x () Real)
(declare-fun y () Real)
(declare-fun z () Real)
(declare-const b Bool)
(define-fun half () Real 0.5)
(define-fun close ((u Real) (v Real)) Bool (and (<= (- u v) half) (<= (- v u) half)))
(assert (! (close x y) :named c1))
(assert (! (< (- y z) (- 2.0)) :named c2))
(assert (! (< (- z x) 1.25) :named c3))
(assert (or b (> (- x z) 0.0)))
(check-sat)
(get-unsat-core)
(check-sat-assuming (b))
(get-unsat-core)
""", ["unsat", "unsat"], "QF_RDL", ["x", "y", "z"], ["b"]),

    Seed("idl-scopes", """\
(set-logic QF_IDL)
(declare-const a Int)
(declare-const b Int)
(push)
(declare-const c Int)
(assert (distinct a b c))
(assert (let ((d1 (- a b)) (d2 (- b c)))
  (and (< d1 0) (< d2 0) (ite (> a 0) (> (- c a) 5) (< (- c a) 2)))))
(check-sat)
(get-model)
(pop)
(assert (= (- a b) 3))
(assert (<= (- b a) (- 4)))
(check-sat)
(get-info :name)
(get-option :produce-models)
(echo "done")
""", ["sat", "unsat"], "QF_IDL", ["a", "b"], []),

    Seed("rdl-chain", """\
(set-logic QF_RDL)
(set-option :print-success false)
(declare-fun t0 () Real)
(declare-fun t1 () Real)
(declare-fun t2 () Real)
(declare-fun go () Bool)
(define-fun start () Real t0)
(assert (= start 0.0))
(assert (>= (- t1 t0) (/ 7 2)))
(assert (xor go (<= (- t2 t1) 1.5)))
(assert (=> go (>= (- t2 t0) 10.0)))
(check-sat)
(get-value (t0 t1 go (- t2 t1)))
(assert (> (- t2 t1) 2.0))
(assert (< (- t2 t0) 3.0))
(check-sat)
""", ["sat", "unsat"], "QF_RDL", ["t0", "t1", "t2"], ["go"]),

    Seed("idl-success", """\
(set-option :print-success true)
(set-logic QF_IDL)
(declare-fun p () Bool)
(declare-fun q () Bool)
(declare-fun u () Int)
(declare-fun v () Int)
(assert (or p q))
(assert (=> p (< (- u v) (- 2))))
(assert (=> q (> (- u v) 5)))
(push 2)
(assert (and (not p) (not q)))
(check-sat)
(pop 2)
(check-sat)
(get-assignment)
(reset-assertions)
(check-sat)
""", ["unsat", "sat", "sat"], "QF_IDL", ["u", "v"], ["p", "q"]),

    Seed("bool-only", """\
(declare-const p Bool)
(declare-const q Bool)
(define-fun both () Bool (and p q))
(assert (xor p q))
(check-sat)
(assert both)
(check-sat)
""", ["sat", "unsat"], "QF_IDL", [], ["p", "q"]),
]


def jobshop_seed(jobs=4, machines=3, seed=7):
    """A small job shop with a generous makespan (sat) then an impossible one (unsat)."""
    rng = random.Random(seed)
    dur = [[rng.randint(1, 9) for _ in range(machines)] for _ in range(jobs)]
    lines = ["(set-logic QF_IDL)"]
    names = []
    for j in range(jobs):
        for m in range(machines):
            lines.append(f"(declare-fun t_{j}_{m} () Int)")
            names.append(f"t_{j}_{m}")
    for j in range(jobs):
        lines.append(f"(assert (>= t_{j}_0 0))")
        for m in range(1, machines):
            lines.append(f"(assert (>= (- t_{j}_{m} t_{j}_{m - 1}) {dur[j][m - 1]}))")
    for m in range(machines):
        for a in range(jobs):
            for b in range(a + 1, jobs):
                lines.append(f"(assert (or (>= (- t_{b}_{m} t_{a}_{m}) {dur[a][m]}) "
                             f"(>= (- t_{a}_{m} t_{b}_{m}) {dur[b][m]})))")
    total = sum(map(sum, dur))
    longest = max(sum(row) for row in dur)
    lines.append("(push 1)")
    for j in range(jobs):
        lines.append(f"(assert (<= (+ t_{j}_{machines - 1} {dur[j][-1]}) {total}))")
    lines.append("(check-sat)")
    lines.append("(pop 1)")
    for j in range(jobs):
        lines.append(f"(assert (< (+ t_{j}_{machines - 1} {dur[j][-1]}) {longest}))")
    lines.append("(check-sat)")
    return Seed("idl-jobshop", "\n".join(lines) + "\n", ["sat", "unsat"], "QF_IDL", names, [])


SEEDS.append(jobshop_seed())


# ------------------------------------------------------------------------------- segments
_SEGMENT = re.compile(
    r'(?P<ws>[ \t\r\n\f\v]+)|(?P<comment>;[^\n\r]*)|(?P<str>"(?:[^"]|"")*")'
    r'|(?P<qsym>\|[^|]*\|)|(?P<paren>[()])|(?P<atom>[^ \t\r\n\f\v()";|]+)')


def segments(text):
    """(kind, text) pieces of a (valid, ASCII) seed script."""
    out = []
    pos = 0
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        assert m is not None, text[pos:pos + 20]
        out.append((m.lastgroup, m.group()))
        pos = m.end()
    return out


def commands(text):
    """The seed split into top-level pieces: [(is_command, text)]."""
    pieces = []
    depth = 0
    current = []
    for kind, piece in segments(text):
        if depth == 0 and kind != "paren":
            pieces.append((False, piece))
            continue
        current.append(piece)
        if kind == "paren":
            depth += 1 if piece == "(" else -1
            if depth == 0:
                pieces.append((True, "".join(current)))
                current = []
    assert depth == 0
    return pieces


def command_boundaries(text):
    """Byte offsets (in the ASCII seed) where a new top-level command may be inserted."""
    offsets = [0]
    pos = 0
    for _, piece in commands(text):
        pos += len(piece)
        offsets.append(pos)
    return offsets


def insert_command(rng, seed, snippet):
    text = seed.text
    at = rng.choice(command_boundaries(text))
    return text[:at] + "\n" + snippet + "\n" + text[at:]


def replace_command(rng, seed, snippet):
    pieces = commands(seed.text)
    indexes = [k for k, (is_cmd, _) in enumerate(pieces) if is_cmd]
    k = rng.choice(indexes)
    pieces[k] = (True, snippet)
    return "".join(p for _, p in pieces)


# ------------------------------------------------------------------------------- byte noise
_NOISE = [b"(", b")", b"((", b"))", b"|", b'"', b";", b":", b"#", b"#x", b"#b", b"\\", b"!",
          b"_", b" ", b"\n", b"\r", b"\t", b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xc3\xa9",
          b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\x80", b"\xef\xbb\xbf", b"\x80", b"0", b"9",
          b"-", b".", b"1.5", b"x", b"let", b"and", b"assert", b"check-sat", b"\x7f", b"\x1b",
          b"\xe2\x80\xa8", b"\x0b", b"\x0c"]


def random_bytes(rng, n, allow_newline=True):
    data = bytes(rng.randrange(256) for _ in range(n))
    if not allow_newline:
        data = data.replace(b"\n", b"?").replace(b"\r", b"?")
    return data


def flip(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        k = rng.randrange(len(data))
        data[k] = rng.randrange(256)
    return bytes(data)


def insert_noise(rng, data):
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(data) + 1)
        noise = rng.choice(_NOISE) if rng.random() < 0.7 else random_bytes(rng, rng.randint(1, 6))
        data = data[:k] + noise + data[k:]
    return data


def delete_range(rng, data):
    k = rng.randrange(len(data))
    n = rng.choice([1, 1, 2, 3, 8, 30])
    return data[:k] + data[k + n:]


def drop_paren(rng, data):
    positions = [k for k, c in enumerate(data) if c in b"()"]
    for _ in range(rng.randint(1, 3)):
        if not positions:
            break
        k = positions.pop(rng.randrange(len(positions)))
        data = data[:k] + b" " + data[k + 1:]
    return data


def add_paren(rng, data):
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(data) + 1)
        data = data[:k] + rng.choice([b"(", b")", b"()", b")(", b"(((", b")))"]) + data[k:]
    return data


def swap_paren(rng, data):
    positions = [k for k, c in enumerate(data) if c in b"()"]
    k = rng.choice(positions)
    data = bytearray(data)
    data[k] = ord(")") if data[k] == ord("(") else ord("(")
    return bytes(data)


# ------------------------------------------------------------------------------- token noise
_ATOMS = ["0", "-1", "1.5", "007", "#x0f", "#b101", '"str"', ":kw", "true", "false", "|q q|",
          "_", "!", "let", "as", "forall", "exists", "=>", "xor", "select", "div", "mod", "abs",
          "to_real", "to_int", "ite", "distinct", "and", "+", "-", "*", "/", "<", "=", "()",
          "(_ bv1 8)", "(as x Int)", "Int", "Real", "Bool", "check-sat", "|", "undeclared_k",
          "x@1", "9" * 60, "0.0000000000000001", "(! p :named)", ":named", "(let () p)"]


def token_mutation(rng, seed):
    segs = segments(seed.text)
    atoms = [k for k, (kind, _) in enumerate(segs) if kind in ("atom", "qsym", "str")]
    segs = list(segs)
    for _ in range(rng.randint(1, 2)):
        k = rng.choice(atoms)
        how = rng.randrange(4)
        if how == 0:       # replace by a palette atom
            segs[k] = ("atom", rng.choice(_ATOMS))
        elif how == 1:     # drop the token
            segs[k] = ("ws", " ")
        elif how == 2:     # duplicate it
            segs[k] = ("atom", segs[k][1] + " " + segs[k][1])
        else:              # swap with another token
            j = rng.choice(atoms)
            segs[k], segs[j] = segs[j], segs[k]
    return "".join(piece for _, piece in segs)


# ------------------------------------------------------------------------------- answer-keeping
_WS = [" ", "  ", "\t", "\n", "\r\n", "\n\n\n", " \f ", "\v", "\r", "\t \n "]


def reformat(rng, seed):
    """Whitespace, comments and line endings changed; the meaning is the same (bytes)."""
    out = []
    for kind, piece in segments(seed.text):
        if kind == "ws":
            roll = rng.random()
            if roll < 0.3:
                piece = rng.choice(_WS)
            elif roll < 0.4:
                out.append(piece.encode())
                out.append(b" ;" + random_bytes(rng, rng.randint(0, 30), allow_newline=False))
                piece = "\n"
            out.append(piece.encode())
        elif kind == "paren" and rng.random() < 0.15:
            out.append((piece + rng.choice(_WS)).encode())
        else:
            out.append(piece.encode())
    return b"".join(out)


def non_utf8_comments(rng, seed):
    lines = seed.text.encode().split(b"\n")
    for _ in range(rng.randint(1, 4)):
        k = rng.randrange(len(lines))
        bad = rng.choice([b"\xff", b"\xc3(", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\x80",
                          b"\x80\x80\x80", b"caf\xe9", b"\xf8\x88\x80\x80\x80"])
        lines[k] = lines[k] + b" ; " + bad + b' "unclosed |bar ( ' + bad
    return b"\n".join(lines)


def quote_symbols(rng, seed):
    names = set(seed.ints + seed.bools)
    out = []
    for kind, piece in segments(seed.text):
        if kind == "atom" and piece in names and rng.random() < 0.6:
            piece = "|" + piece + "|"
        out.append(piece)
    return "".join(out)


def line_endings(rng, seed):
    return seed.text.replace("\n", rng.choice(["\r\n", "\r", "\n\n", " \n"]))


def harmless_commands(rng, seed):
    snippets = [
        "(set-info :status sat)",
        "(set-info :source |multi\nline \"quoted\" ; not a comment ((|)",
        "(set-info :notes (a (b \"c\") #x0F #b01 :k 1.5))",
        '(echo "hello ""world""")',
        '(echo "")',
        '(echo "two\nlines (")',
        '(echo "semi ; colon | bar")',
        "(get-info :error-behavior)",
        "(get-info :authors)",
        "(get-info :version)",
        "(get-info :assertion-stack-levels)",
        "(get-option :random-seed)",
        "(set-option :random-seed 17)",
        "(get-info :all-statistics)",
        "(set-option :verbosity 0)",
        "(set-option :produce-assignments true)",
        "(get-assertions)",
    ]
    text = seed.text
    if text.rstrip().endswith("(exit)"):
        text = text.rstrip()[:-len("(exit)")]
    extra = Seed(seed.name, text, seed.answers, seed.logic)
    for _ in range(rng.randint(1, 3)):
        text = insert_command(rng, extra, rng.choice(snippets))
        extra = Seed(seed.name, text, seed.answers, seed.logic)
    return text


def echo_non_utf8(rng, seed):
    bad = rng.choice([b"\xff", b"caf\xe9", b"\xed\xa0\x80", b"\xc3"])
    return seed.text.encode() + b'(echo "' + bad + b'")\n'


# ------------------------------------------------------------------------------- targeted
def _fill(rng, seed, template):
    nums = seed.ints or ["0"]
    bools = seed.bools or ["true"]
    return template.format(i=rng.choice(nums), j=rng.choice(nums), p=rng.choice(bools),
                           q=rng.choice(bools), N="1.0" if seed.logic == "QF_RDL" else "1",
                           S="Real" if seed.logic == "QF_RDL" else "Int")


UNKNOWN_COMMANDS = [
    "(frobnicate x 1)", "(check-sat-using smt)", "(get-proof)", "(eval {i})",
    "(simplify (+ {i} 1))", "(minimize {i})", "(assert-soft {p})", "(define-sort S () Int)",
    "(declare-sort U 0)", "(declare-datatypes ((L 0)) (((nil) (cons (hd Int)))))",
    "(define-fun-rec f ((n Int)) Int (f n))", "(define-funs-rec ((f () Int)) (1))",
    "(declare-fun f (Int) Int)", "()", "(42)", '("check-sat")', "((check-sat))",
    "(:check-sat)", "(check-sat 1)", "(get-model x)", "(push a)", "(pop -1)", "(pop 5)",
    "(set-logic QF_BV)", "(set-logic QF_IDL)", "(set-logic)", "(set-option)",
    "(set-option :print-success maybe)", "(set-option :timeout x)",
    "(set-option :unknown-option 1)", "(get-option :nonsense)", "(get-info nonsense)",
    "(get-info :reason-unknown)", "(echo 42)", "(echo)", "(get-unsat-core)",
    "(get-unsat-assumptions)", "(assert)", "(assert {p} {q})", "(check-sat-assuming {p})",
    "(check-sat-assuming ((not {p}) 1))", "(get-value ())", "(get-value {i})",
    "(declare-const)", "(declare-fun {i} Int)", "(define-fun g ((x)) Int 1)",
    "(define-fun g (x Int) Int x)", "(define-fun g ((x Int) (x Int)) Int x)",
    "check-sat", "assert", "1", ":kw", '"string"', "#x1F",
    "(set-option :regular-output-channel 42)", "(set-option :produce-proofs true)",
    "(set-option :diagnostic-output-channel \"stderr\")", "(reset)",
]

UNKNOWN_SORTS = ["(_ BitVec 8)", "String", "(Array Int Int)", "Float32",
                 "(_ FloatingPoint 8 24)", "U", "(Seq Int)", "int", "(Int)", "()", "1",
                 "(_ Int)", "(as Int Int)", "RoundingMode", "|Int |"]

WRONG_SORTS = [
    "(assert (and {i} 1))", "(assert (+ {p} {q}))", "(assert (< {p} {N}))",
    "(assert (= {p} {N}))", "(assert (ite 1 {p} {q}))", "(assert 5)", "(assert {i})",
    "(assert (- {p}))", "(assert (not {i}))", "(assert (distinct {p} 1))",
    "(assert (< (/ {i} 0) 1))", "(assert (< (* {i} {j}) {N}))", "(assert (< (to_real {i}) 1.5))",
    "(assert (< {i} 1.5))", "(assert (= {i} {p}))", "(assert (=> {i} {p}))",
    "(assert (< (div {i} 2) 1))", "(assert (< (mod {i} 2) 1))", "(assert (< (abs {i}) 1))",
    "(assert (< (ite {p} {i} {p}) {N}))", "(assert (xor {p}))", "(assert (< {i}))",
    "(assert (let ((v {p})) (+ v 1)))", "(assert (! {i} :named nm))",
    "(assert (! {p} :named))", "(assert (! {p} :named 5))", "(assert (! {p} named))",
    "(assert (< #x0F {i}))", "(assert (< \"s\" {i}))", "(assert (< :k {i}))",
    "(assert (forall ((x Int)) (< x {i})))", "(assert ((_ extract 1 0) {i}))",
    "(assert ((as const Int) 1))", "(assert (let ((a 1) (a 2)) (< a {i})))",
    "(assert (let () {p}))", "(assert (let ((a)) {p}))", "(assert (let ((1 {p})) {p}))",
    "(assert ({p} {q}))", "(assert (((and)) {p}))", "(assert (< {i} (- 1.5 (/ 1 3))))",
    "(assert (< (* 2 {i} 3) {N}))", "(assert (< (/ {i} 3) {N}))", "(assert (= {i} (- {i})))",
    "(get-value ((+ {p} 1)))", "(check-sat-assuming ({i}))", "(assert (< {i} 0 {j} 1 {N}))",
    "(define-fun bad () Int {p})", "(define-fun bad ((a Int)) Bool a)",
    "(define-fun bad () Bool (< {i} {N}))(assert (bad 1))",
]

UNDECLARED = [
    "(assert (< nope 1))", "(assert nope)", "(assert (nope 1))", "(get-value (nope))",
    "(check-sat-assuming (nope))", "(assert (< {i} nope))", "(assert (let ((a nope)) a))",
    "(assert (f {i}))", "(assert |never declared|)", "(assert (and {p} |a b|))",
    "(get-value ((- nope {i})))", "(assert (< {i} x!1))", "(pop 1)(assert (< {i} 0))",
]

DUPLICATES = [
    "(declare-const {i} {S})", "(declare-fun {p} () Bool)", "(define-fun {i} () {S} 1)",
    "(declare-const and Bool)", "(declare-fun true () Bool)", "(declare-const + Int)",
    "(declare-const let Int)", "(declare-const ! Bool)", "(define-fun = () Bool true)",
    "(assert (! {p} :named {i}))", "(assert (! {p} :named dup))(assert (! {q} :named dup))",
    "(define-fun h ((a Int) (a Int)) Int a)", "(declare-const d Int)(declare-const d Real)",
    "(push 1)(declare-const w Int)(pop 1)(declare-const w Int)(declare-const w Int)",
    "(declare-const |{i}| {S})",
]

NAMED_IN_MACRO = ("(define-fun named_in_body ((a {S})) Bool (! (> a {N}) :named in_body))"
                  "(assert (not in_body))(get-assertions)(get-value (in_body))")

NON_UTF8 = [
    b"(declare-const \xff Int)", b"(declare-const x\xc3 Int)", b"(assert (< \xe9 1))",
    b"(declare-const |caf\xe9| Bool)(assert |caf\xe9|)(check-sat)(get-model)",
    b"(assert |\xff\xfe|)", b"(get-value (|\xed\xa0\x80|))", b'(echo "\xff\xfe")',
    b'(echo "caf\xe9 ""q"" \xc0\x80")', b"; comment \xff\xfe\n(check-sat)",
    b"(set-info :source |\xff\n\xfe|)", b"(set-info :\xff 1)", b"(assert (< 1\xff 2))",
    b"(check-sat\xff)", b"\xef\xbb\xbf(check-sat)", b"(\x00check-sat)", b"(echo \"\x00\")",
    b"(assert (< #x\xff 1))", b"(set-option :\xe2\x82 true)",
    b"(declare-const \xf0\x9f\x98\x80 Int)",
    b"(declare-const \xe2\x80\xa8 Int)", b"(declare-const |\\\xff| Int)",
    b"(assert (! true :named \xfe))", b'(set-option :regular-output-channel "\xff")',
]

OPEN_QUOTES = [
    '(echo "never closed', "(assert |open symbol", '(set-info :source "a\nb\nc',
    "(declare-const |x\ny Int)", '(echo "a"" b)', "(assert (< |x", "(echo \"", "|", '"',
    "(assert (and |a| |b))", '(echo "ok") "dangling', "(set-info :x |a\\b|)",
]


def huge_numeral(rng, seed):
    digits = rng.choice([1000, 4299, 4300, 4301, 5000, 20000])
    big = "".join(rng.choice("0123456789") for _ in range(digits - 1))
    big = rng.choice("123456789") + big
    forms = [big, big + ".5", "0." + big, "(- " + big + ")", "#x" + "F" * digits,
             "#b" + "1" * digits, big + "." + big]
    form = rng.choice(forms)
    segs = segments(seed.text)
    # numerals outside (push n)/(pop n): a huge push count is its own case (see deep_cases)
    nums = [k for k, (kind, piece) in enumerate(segs) if kind == "atom" and piece[0].isdigit()
            and not (k >= 2 and segs[k - 2][1] in ("push", "pop"))]
    if nums and rng.random() < 0.7:
        k = rng.choice(nums)
        segs[k] = ("atom", form)
        return "".join(p for _, p in segs)
    template = rng.choice(["(assert (< {i} %s))", "(assert (>= (- {i} {j}) %s))",
                           "(get-value (%s))", "(define-fun big () {S} %s)",
                           "(set-option :timeout %s)",
                           "(assert (< (* %s {i}) 0))", "(assert (< (/ {i} %s) 0))",
                           "(assert (! {p} :named %s))", "(set-info :n %s)"])
    return insert_command(rng, seed, _fill(rng, seed, template % form))


# ------------------------------------------------------------------------------- deep
def deep_cases():
    n = DEEP
    cases = [
        Case("deep-not", b"(declare-const p Bool)\n(assert " + b"(not " * n + b"p" + b")" * n
             + b")\n(check-sat)\n(get-model)\n", ["sat"], clean=True),
        Case("deep-plus", b"(set-logic QF_IDL)(declare-const x Int)\n(assert (< "
             + b"(+ " * n + b"x" + b" 1)" * n + b" 0))\n(check-sat)\n", ["sat"], clean=True),
        Case("deep-let", b"(declare-const x Int)\n(assert (let ((a x)) " + b"(let ((a (+ a 1))) "
             * (n - 1) + b"(< a 0)" + b")" * n + b")\n(check-sat)\n", ["sat"], clean=True),
        Case("deep-unclosed", b"(assert " + b"(" * n),
        Case("deep-unclosed-and", b"(declare-const p Bool)(assert " + b"(and p " * n + b"\n"),
        Case("deep-closers", SEEDS[1].text.encode() + b")" * n + b"\n(check-sat)\n",
             SEEDS[1].answers + ["unsat"]),
        Case("deep-wrong-sort", b"(assert " + b"(not " * n + b"1" + b")" * n + b")\n(check-sat)\n",
             ["sat"]),
        Case("deep-undeclared", b"(assert " + b"(or " * n + b"nope" + b")" * n + b")\n"),
        Case("deep-get-value", b"(declare-const p Bool)(check-sat)\n(get-value ("
             + b"(not " * n + b"p" + b")" * n + b"))\n", ["sat"], clean=True),
        Case("deep-sort", b"(declare-const s " + b"(" * n + b"Int" + b")" * n + b")\n"),
        Case("deep-set-info",
             b"(set-info :deep " + b"(a " * n + b"b" + b")" * n + b")\n(check-sat)\n",
             ["sat"], clean=True),
        Case("deep-ite", b"(declare-const p Bool)(declare-const x Int)\n(assert (< "
             + b"(ite p " * n + b"x" + b" x)" * n + b" 0))\n(check-sat)\n"),
        Case("deep-macro", b"(declare-const x Int)(define-fun f ((a Int)) Int (+ a 1))\n"
             b"(assert (< " + b"(f " * n + b"x" + b")" * n + b" 0))\n(check-sat)\n", ["sat"],
             clean=True),
        Case("deep-unclosed-string", b"(echo " + b"(" * n + b'"open\n' + b"(" * 1000),
        # numerals: a push count no one can carry out, and a numeral that grows by folding
        Case("huge-push", b"(push 1" + b"0" * 30 + b")\n(check-sat)\n"),
        # 20,000 products of a 1,000-digit numeral, folded as the term is read: hours of
        # big-integer arithmetic unless the front end stops at its deadline or at a size limit
        Case("huge-folded", b"(declare-const x Int)\n(assert (> x (let ((c " + b"9" * 1000
             + b")) " + b"(* c " * 20000 + b"1" + b")" * 20000 + b")))\n(check-sat)\n"),
    ]
    for case in cases:
        case.tags.add("deep" if case.name.startswith("deep") else "huge")
    return cases


# ------------------------------------------------------------------------------- data files
def data_seeds(limit=6, size=4096):
    """The first `size` bytes (cut at a line end) of a few benchmark files, when present."""
    if not os.path.isdir(DATA_DIR):
        return []
    paths = []
    for root, _, files in os.walk(DATA_DIR):
        paths += [os.path.join(root, f) for f in files if f.endswith(".smt2")]
    paths.sort()
    rng = random.Random(RANDOM_SEED + 1)
    chosen = rng.sample(paths, min(limit, len(paths)))
    out = []
    for path in chosen:
        with open(path, "rb") as f:
            head = f.read(size)
        if len(head) == size and b"\n" in head:
            head = head[:head.rindex(b"\n") + 1]
        out.append((os.path.relpath(path, DATA_DIR), head))
    return out


# ------------------------------------------------------------------------------- the corpus
def corpus():
    rng = random.Random(RANDOM_SEED)
    cases = []

    def add(kind, source, answers=None, clean=False):
        if isinstance(source, str):
            source = source.encode()
        cases.append(Case(f"{kind}-{len(cases):04d}", source, answers, clean, {kind}))

    for seed in SEEDS:
        add("seed", seed.text, seed.answers, clean=True)

    # mutations that keep the meaning: the answers must not change
    keep = [reformat, non_utf8_comments, quote_symbols, line_endings, harmless_commands,
            echo_non_utf8]
    for k in range(150):
        seed = SEEDS[k % len(SEEDS)]
        mutate = keep[(k // len(SEEDS)) % len(keep)]
        add("keep-" + mutate.__name__, mutate(rng, seed), seed.answers, clean=True)

    def pick():
        return rng.choice(SEEDS)

    for _ in range(200):
        data = pick().text.encode()
        add("truncate", data[:rng.randrange(len(data))])
    byte_ops = [flip, insert_noise, delete_range]
    for k in range(240):
        add("bytes-" + byte_ops[k % 3].__name__, byte_ops[k % 3](rng, pick().text.encode()))
    paren_ops = [drop_paren, add_paren, swap_paren]
    for k in range(120):
        add("paren-" + paren_ops[k % 3].__name__, paren_ops[k % 3](rng, pick().text.encode()))
    for _ in range(120):
        add("token", token_mutation(rng, pick()))

    for template in UNKNOWN_COMMANDS:
        seed = pick()
        add("unknown-command", insert_command(rng, seed, _fill(rng, seed, template)))
    for sort in UNKNOWN_SORTS:
        for how in range(2):
            seed = pick()
            if how == 0:
                snippet = f"(declare-fun odd () {sort})(assert (= odd odd))"
            else:
                snippet = f"(define-fun odd ((a {sort})) Bool true)(declare-const k {sort})"
            add("unknown-sort", insert_command(rng, seed, snippet))
    for template in WRONG_SORTS:
        seed = pick()
        add("wrong-sort", insert_command(rng, seed, _fill(rng, seed, template)))
    for seed in SEEDS[:2]:
        add("undeclared", insert_command(rng, seed, _fill(rng, seed, NAMED_IN_MACRO)))
    for template in UNDECLARED:
        seed = pick()
        add("undeclared", insert_command(rng, seed, _fill(rng, seed, template)))
    for template in DUPLICATES:
        for _ in range(2):
            seed = pick()
            add("duplicate", insert_command(rng, seed, _fill(rng, seed, template)))
    for snippet in NON_UTF8:
        for _ in range(2):
            seed = pick()
            at = rng.choice(command_boundaries(seed.text))
            data = seed.text.encode()
            add("non-utf8", data[:at] + b"\n" + snippet + b"\n" + data[at:])
    for snippet in OPEN_QUOTES:
        seed = pick()
        if rng.random() < 0.5:
            add("open-quote", seed.text + snippet)
        else:
            add("open-quote", insert_command(rng, seed, snippet))
    for _ in range(40):
        add("huge-numeral", huge_numeral(rng, pick()))
    for _ in range(30):   # a command replaced by one of the snippets above
        seed = pick()
        snippet = _fill(rng, seed, rng.choice(WRONG_SORTS + UNDECLARED + DUPLICATES))
        add("replace", replace_command(rng, seed, snippet))

    for name, head in data_seeds():
        add("data-head", head)
        for k in range(8):
            op = [flip, insert_noise, delete_range, drop_paren, add_paren][k % 5]
            add("data-" + op.__name__, op(rng, head))
        add("data-truncate", head[:rng.randrange(len(head))])

    cases.extend(deep_cases())
    return cases


def cli_sample(cases):
    """About 20 cases for the command line: every deep case that is cheap and telling, some
    non-UTF-8 ones, seeds and a spread of the rest (deterministic)."""
    by_name = {c.name: c for c in cases}
    chosen = [by_name[n] for n in ("deep-not", "deep-unclosed", "deep-closers",
                                   "deep-wrong-sort")]
    chosen += [c for c in cases if "seed" in c.tags][:3]
    for snippet in (b"(declare-const \xff Int)", b"(assert |\xff\xfe|)", b'(echo "\xff\xfe")',
                    b"(set-info :source |\xff\n\xfe|)", b"\xef\xbb\xbf(check-sat)"):
        chosen.append(next(c for c in cases if "non-utf8" in c.tags and snippet in c.source))
    chosen.append(next(c for c in cases if "non-utf8" in c.tags and b"(get-model)" in c.source))
    chosen += [c for c in cases if "keep-non_utf8_comments" in c.tags][:1]
    chosen.append(next(c for c in cases if "huge-numeral" in c.tags
                       and re.search(rb"[ (][0-9]{4400,}[ )]", c.source)))
    rng = random.Random(RANDOM_SEED + 2)
    rest = [c for c in cases if not c.tags & {"deep", "huge", "seed", "non-utf8",
                                              "keep-echo_non_utf8"}]
    chosen += rng.sample(rest, 7)
    return chosen


def child_cases():
    """Inputs that have killed the Python process running Script(isolate=False): run them in a
    child interpreter so that a crash fails one test instead of ending the session."""
    cases = []
    for seed in ("9223372036854775807", "9223372036854775808", "18446744073709551616",
                 "1" + "0" * 40):
        for sort, one in (("Int", "1"), ("Real", "1.0")):
            source = (f"(set-option :random-seed {seed})\n(declare-const x {sort})\n"
                      f"(assert (< x {one}))\n(check-sat)\n(echo \"after\")\n").encode()
            cases.append(Case(f"random-seed-{seed[:24]}-{sort}", source, tags={"child"}))
    return cases
