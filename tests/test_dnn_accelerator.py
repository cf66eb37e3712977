"""smtsched.dnn accelerator descriptions: the examples, exact latencies, memory amounts, and
errors that name the file and the key path."""
import json
import os
import sys
from fractions import Fraction

import pytest

from smtsched.dnn import (Accelerator, AcceleratorError, Operator, load_accelerator,
                          parse_bytes)
from smtsched.dnn.accelerator import _toml_module

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
needs_toml = pytest.mark.skipif(sys.version_info < (3, 11) and
                                __import__("importlib").util.find_spec("tomli") is None,
                                reason="TOML needs Python 3.11+ or tomli")


def op(kind, work=0, name="x"):
    return Operator(name, kind, work)


def error_of(call, *args, **kwargs):
    with pytest.raises(AcceleratorError) as info:
        call(*args, **kwargs)
    return str(info.value)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@needs_toml
def test_examples_load():
    npu = load_accelerator(os.path.join(EXAMPLES, "npu-small.toml"))
    assert (npu.name, npu.units, npu.memory) == ("npu-small", {"tensor": 1, "vector": 2},
                                                 32 * 2**20)
    assert npu.options(op("Conv", 2048)) == [("tensor", 8 + 2)]
    assert npu.options(op("Relu", 33)) == [("vector", 2 + 2)]
    assert npu.options(op("Reshape", 10**6)) == [(None, 0)]
    gpu = load_accelerator(os.path.join(EXAMPLES, "gpu-like.toml"))
    assert gpu.units == {"stream": 4} and gpu.memory == 16 * 2**30
    assert gpu.options(op("MatMul", 10**6)) == [("stream", 5 + 100)]
    single = load_accelerator(os.path.join(EXAMPLES, "single-core.toml"))
    assert single.units == {"core": 1} and single.memory is None
    for kind in ("Conv", "Reshape", "anything", "forward"):
        assert [unit for unit, _ in single.options(op(kind, 5))] == ["core"]
    for accelerator in (npu, gpu, single):
        again = Accelerator.from_dict(json.loads(json.dumps(accelerator.to_dict())))
        assert again.to_dict() == accelerator.to_dict()


@needs_toml
def test_latency_is_exact(tmp_path):
    # in binary floating point 30 * 0.1 = 3.0000000000000004, whose ceiling would be 4
    toml = write(tmp_path, "a.toml", '[units]\ncore = 1\n[[rules]]\nops = "*"\n'
                                     'units = "core"\nlatency = { fixed = 1, per_work = 0.1 }\n')
    assert load_accelerator(toml).options(op("X", 30)) == [("core", 1 + 3)]
    assert load_accelerator(toml).options(op("X", 31)) == [("core", 1 + 4)]
    assert load_accelerator(toml).name == "a"
    data = {"units": {"core": 1}, "rules": [{"ops": "*", "units": "core",
                                             "latency": {"per_work": 0.1}}]}
    path = write(tmp_path, "a.json", json.dumps(data))
    assert load_accelerator(path).options(op("X", 30)) == [("core", 3)]
    assert Accelerator.from_dict(data).options(op("X", 30)) == [("core", 3)]  # Python float
    data["rules"][0]["latency"] = {"per_work": "1/3"}
    assert Accelerator.from_dict(data).rules[0].latencies[0].per_work == Fraction(1, 3)
    assert Accelerator.from_dict(data).options(op("X", 7)) == [("core", 3)]
    data["rules"][0]["latency"] = 7
    assert Accelerator.from_dict(data).options(op("X", 10**9)) == [("core", 7)]


def test_rules_first_match_and_none_units():
    accelerator = Accelerator.from_dict({
        "memory": "1.5 KiB",
        "units": {"a": 2, "b": 1},
        "rules": [
            {"ops": ["Conv"], "units": ["a", "none"],
             "latency": {"a": 3, "none": {"fixed": 10}}},
            {"ops": ["Conv", "Relu"], "units": "b", "latency": 1},
            {"ops": ["Identity"], "units": "none"},
        ]})
    assert accelerator.memory == 1536
    assert accelerator.options(op("Conv")) == [("a", 3), (None, 10)]
    assert accelerator.options(op("Relu")) == [("b", 1)]
    assert accelerator.options(op("Identity", 99)) == [(None, 0)]
    message = error_of(accelerator.options, op("Gemm", name="fc1"))
    assert message == ("<dict>: rules: no rule matches the operator kind 'Gemm': add it to a "
                       "rule's ops, or add a rule with ops = \"*\"")


@pytest.mark.parametrize("memory, expected", [
    (1000, 1000), ("8 MiB", 8 * 2**20), ("8MiB", 8 * 2**20), ("2 kb", 2000), ("1.5 GiB", 3 * 2**29),
    ("512", 512), ("3 B", 3), ("1 TB", 10**12),
])
def test_memory_amounts(memory, expected):
    assert parse_bytes(memory) == expected
    data = {"memory": memory, "units": {"u": 1}, "rules": [{"ops": "*", "units": "u",
                                                            "latency": 0}]}
    assert Accelerator.from_dict(data).memory == expected


BASE = {"units": {"tensor": 1, "vector": 2},
        "rules": [{"ops": ["Conv"], "units": ["tensor", "vector"],
                   "latency": {"tensor": {"fixed": 1, "per_work": "0.5"},
                               "vector": {"fixed": 2, "per_work": "2"}}},
                  {"ops": "*", "units": ["vector"], "latency": {"fixed": 1}},
                  {"ops": "*", "units": "none", "latency": 0}]}


@pytest.mark.parametrize("mutate, key, expected", [
    (lambda d: d["rules"][2].update(latency={"per_work": -1}), "rules[2].latency.per_work",
     "must be >= 0"),
    (lambda d: d["rules"][2].update(latency={"per_work": "fast"}), "rules[2].latency.per_work",
     "expected a number >= 0"),
    (lambda d: d["rules"][1].update(latency={"fixed": 1.5}), "rules[1].latency.fixed",
     "expected an integer >= 0, found 1.5"),
    (lambda d: d["rules"][1].update(latency={"fixd": 1}), "rules[1].latency.fixd",
     "unknown key"),
    (lambda d: d["rules"][1].update(units=["vector", "matrix"]), "rules[1].units[1]",
     "unknown unit kind 'matrix' (the units are tensor, vector)"),
    (lambda d: d["rules"][1].update(units=["vector", "vector"]), "rules[1].units[1]",
     "listed twice"),
    (lambda d: d["rules"][1].update(units=[]), "rules[1].units", "non-empty list"),
    (lambda d: d["rules"][1].pop("latency"), "rules[1]", "the key 'latency' is missing"),
    (lambda d: d["rules"][0]["latency"].pop("vector"), "rules[0].latency",
     "no latency for the unit kind 'vector'"),
    (lambda d: d["rules"][0]["latency"].update(scalar=1), "rules[0].latency.scalar",
     "unknown key 'scalar': a latency has the keys fixed and per_work, or one per unit kind"),
    (lambda d: d["rules"][0].update(ops=[]), "rules[0].ops", "non-empty list"),
    (lambda d: d["rules"][0].update(ops=["Conv", 3]), "rules[0].ops[1]",
     "expected an operator kind"),
    (lambda d: d.update(rules=[]), "rules", "non-empty list of rules"),
    (lambda d: d["units"].update(vector=0), "units.vector", "expected an integer >= 1"),
    (lambda d: d["units"].update(none=1), "units.none", "reserved word"),
    (lambda d: d.update(units={}), "units", "no units"),
    (lambda d: d.update(memory="lots"), "memory", "expected bytes such as"),
    (lambda d: d.update(memory="1.5 B"), "memory", "not a whole number of bytes"),
    (lambda d: d.update(memory=True), "memory", "expected bytes"),
    (lambda d: d.update(name=""), "name", "non-empty string"),
    (lambda d: d.update(cores=4), "cores", "unknown key"),
    (lambda d: d.pop("units"), None, "the key 'units' is missing"),
])
def test_errors_name_the_key_path(tmp_path, mutate, key, expected):
    data = json.loads(json.dumps(BASE))
    mutate(data)
    with pytest.raises(AcceleratorError) as info:
        Accelerator.from_dict(data, source="npu.json")
    assert info.value.key == key and expected in info.value.reason
    assert str(info.value).startswith(f"npu.json: {key + ': ' if key else ''}")
    # from a file: the file, the line and column of the value, then the key path
    path = write(tmp_path, "npu.json", json.dumps(data, indent=1))
    message = error_of(load_accelerator, path)
    assert message.startswith(path + ":") and (key or "") in message and expected in message


@needs_toml
def test_toml_errors(tmp_path):
    path = write(tmp_path, "bad.toml", 'name = "x"\n[units]\ncore = \n')
    message = error_of(load_accelerator, path)
    assert message.startswith(f"{path}:3:8: invalid TOML: ")
    path = write(tmp_path, "bad.toml", '[units]\ncore = 1\n[[rules]]\nops = "*"\n'
                                       'units = "core"\nlatency = { fixed = -1 }\n')
    assert error_of(load_accelerator, path) == (f"{path}:6:13: rules[0].latency.fixed: "
                                                f"expected an integer >= 0, found -1")


def test_parse_bytes_names_the_option():
    assert str(AcceleratorError("x", key="--memory")) == "--memory: x"
    message = error_of(parse_bytes, "8 MB/s", "--memory")
    assert message == "--memory: expected bytes such as 8388608 or \"8 MiB\", found '8 MB/s'"
    assert error_of(parse_bytes, "0.5 B", "--memory").startswith("--memory: 0.5 B is not a whole")


def test_file_errors(tmp_path, monkeypatch):
    assert "unknown file type '.yaml'" in error_of(load_accelerator, str(tmp_path / "a.yaml"))
    assert "cannot read" in error_of(load_accelerator, str(tmp_path / "absent.json"))
    path = write(tmp_path, "bad.json", '{"units": {"core": 1},\n "rules": [}')
    assert error_of(load_accelerator, path).startswith(f"{path}:2:12: invalid JSON")
    monkeypatch.setitem(sys.modules, "tomli", None)  # import tomli now raises ImportError
    message = error_of(_toml_module, "a.toml", version=(3, 9))
    assert "Python 3.11+ or the tomli package" in message and "JSON" in message


@needs_toml
def test_the_documented_examples_parse():
    """The TOML of docs/dnn-formats.md and of the module docstring are valid descriptions."""
    import re
    import textwrap

    from smtsched.dnn import accelerator as module
    toml = _toml_module("docs")
    docs = os.path.join(os.path.dirname(EXAMPLES), "docs", "dnn-formats.md")
    with open(docs) as handle:
        block = re.search(r"```toml\n(.*?)```", handle.read(), re.S).group(1)
    doc = module.__doc__
    blocks = [block, textwrap.dedent(doc[doc.index("    name = "):doc.index("Rules:")])]
    for text in blocks:
        accelerator = Accelerator.from_dict(toml.loads(text))
        assert [unit for unit, _ in accelerator.options(op("Conv", 10))] == ["tensor", "vector"]
        assert accelerator.options(op("Reshape", 10)) == [(None, 0)]
