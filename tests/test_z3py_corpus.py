"""The z3py corpus (issue 18): programs in tests/z3py_corpus/ written as z3 users write them
(`from z3 import *`), run once with z3 and once with smtsched with only that import changed;
their printed output must be the same.

Each side runs in one subprocess (cwd: the tests folder, so that the installed smtsched is
imported) that executes every program in a fresh namespace and records its stdout, or the
exception it raised."""
import glob
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "z3py_corpus")
IMPORT = "from z3 import *"

RUNNER = r"""
import contextlib, io, json, sys, traceback
results = {}
backend = sys.argv[1]
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as source:
        text = source.read()
    if backend == "smtsched":
        text = text.replace("from z3 import *", "from smtsched import *")
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(text, path, "exec"), {"__name__": "__main__", "__file__": path})
    except BaseException as error:
        out.write("EXCEPTION " + "".join(traceback.format_exception_only(type(error), error)))
    results[path] = out.getvalue()
    # what one program sets globally stays out of the next one's way
    module = __import__(backend)
    module.reset_params()
    module.set_option(rational_to_decimal=False, precision=10)
sys.stdout.write(json.dumps(results))
"""


def programs():
    return sorted(glob.glob(os.path.join(CORPUS, "*.py")))


def run_all(backend):
    done = subprocess.run([sys.executable, "-c", RUNNER, backend] + programs(),
                          capture_output=True, text=True, timeout=600, cwd=HERE)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def outputs():
    return run_all("z3"), run_all("smtsched")


def test_the_corpus_is_there():
    found = programs()
    assert len(found) >= 20
    for path in found:
        with open(path, encoding="utf-8") as source:
            assert source.read().count(IMPORT) == 1, path   # the one line that changes


@pytest.mark.parametrize("path", programs(), ids=os.path.basename)
def test_same_output_as_z3(outputs, path):
    theirs, ours = outputs
    assert theirs[path].strip(), f"{path} prints nothing under z3"
    assert "EXCEPTION" not in theirs[path], theirs[path]
    assert ours[path] == theirs[path]
