"""The README's Python examples run and print what the README says they print."""
import contextlib
import io
import os
import re

import pytest

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


def _blocks():
    """The Python examples that need no file of the reader's own (the ONNX one does)."""
    with open(README, encoding="utf-8") as stream:
        blocks = re.findall(r"```python\n(.*?)```", stream.read(), re.S)
    return [b for b in blocks if ".onnx" not in b]


def _run(block):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})
    return out.getvalue().splitlines()


def _claims(block):
    """The outputs the README promises: the comment after each `print(...)` line, when it
    starts with what is printed (words and numbers before any colon or semicolon)."""
    claims = []
    for line in block.splitlines():
        match = re.match(r"\s*print\(.*\)\s+# (.*)$", line)
        claims.append(None if match is None else re.split(r"[;:]", match.group(1))[0].strip())
    return [c for c in claims if c is not None]


@pytest.mark.parametrize("index", range(len(_blocks())))
def test_readme_example_runs_and_prints_what_it_says(index):
    block = _blocks()[index]
    printed = _run(block)
    for claim in _claims(block):
        assert any(line.startswith(claim) for line in printed), (claim, printed)


def test_readme_examples_make_claims():
    """The examples this test runs promise something checkable (so the test can fail)."""
    claims = [c for b in _blocks() for c in _claims(b)]
    assert "OPTIMAL 9 9 0.0 5" in claims and "sat" in claims and "unsat" in claims
    assert "verified" in claims
