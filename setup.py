"""Build smtsched: the Python package plus every Cython module under theories/ and ext/.

`SMTSCHED_PUREPYTHON=1 pip install .` skips the Cython build; the package then runs on the
pure-Python reference theories (slow, but the same answers).
"""
import os
import shutil

from setuptools import Extension, find_packages, setup

# Every package under smtsched/ (found, so a new subpackage cannot be left out of the wheel),
# plus the two that live in theories/ and ext/.
PACKAGES = (["smtsched"] + ["smtsched." + name for name in find_packages("smtsched")]
            + ["smtsched.theories", "smtsched.ext"])
PACKAGE_DIR = {"smtsched": "smtsched", "smtsched.theories": "theories", "smtsched.ext": "ext"}


def mirror_declarations():
    """Copy the .pxd files where Cython looks for them under their installed module names.

    The sources live in theories/ and ext/ but install as smtsched.theories / smtsched.ext;
    Cython resolves a module's own .pxd by its qualified name, so it needs a tree shaped like
    the installed package.
    """
    root = os.path.join("build", "pxd")
    for package, source in PACKAGE_DIR.items():
        target = os.path.join(root, *package.split("."))
        os.makedirs(target, exist_ok=True)
        open(os.path.join(target, "__init__.pxd"), "w").close()
        for name in os.listdir(source):
            if name.endswith(".pxd"):
                shutil.copyfile(os.path.join(source, name), os.path.join(target, name))
    return root


def extensions():
    if os.environ.get("SMTSCHED_PUREPYTHON") == "1":
        return []
    from Cython.Build import cythonize

    modules = [
        # ext/: the blocks the theories share (most are inline functions in .pxd files, which
        # need no module of their own; the contract base class does)
        Extension("smtsched.ext.contract", ["ext/contract.pyx"], language="c++"),
        Extension("smtsched.theories.time_graph", ["theories/time_graph.pyx"], language="c++"),
        Extension("smtsched.theories.difference", ["theories/difference.pyx"], language="c++"),
        Extension("smtsched.theories.sparse_difference", ["theories/sparse_difference.pyx"],
                  language="c++"),
        Extension("smtsched.theories.global_theory", ["theories/global_theory.pyx"], language="c++"),
        Extension("smtsched.theories.disjunctive", ["theories/disjunctive.pyx"], language="c++"),
        Extension("smtsched.theories.cumulative", ["theories/cumulative.pyx"], language="c++"),
        Extension("smtsched.theories.cost", ["theories/cost.pyx"], language="c++"),
        Extension("smtsched.theories.convex_cost", ["theories/convex_cost.pyx"],
                  language="c++"),
        Extension("smtsched.theories.memory", ["theories/memory.pyx"], language="c++"),
        Extension("smtsched.theories.pseudo_boolean", ["theories/pseudo_boolean.pyx"],
                  language="c++"),
        # the tabu search on machine orders (smtsched.sched.local_search; twin of
        # smtsched/sched/tabu_ref.py)
        Extension("smtsched.sched._tabu", ["smtsched/sched/_tabu.pyx"], language="c++"),
        # the SMT-LIB reader's commonest assertion line (smtsched.smtlib.fast_assert; the
        # regular expressions there are its twin)
        Extension("smtsched.smtlib._line_scan", ["smtsched/smtlib/_line_scan.pyx"],
                  language="c++"),
        # the certificate writer's lines of difference cycles (smtsched.certify.emit)
        Extension("smtsched.certify._lines", ["smtsched/certify/_lines.pyx"], language="c++"),
        # the certificate checker's own DRUP engine (docs/certificates.md, "Checking the
        # proof"); it shares nothing with the engine or the theories
        Extension("smtsched.certify.check._drup",
                  ["smtsched/certify/check/_drup.pyx", "smtsched/certify/check/drup.cpp"],
                  include_dirs=["smtsched/certify/check"], language="c++"),
    ]
    return cythonize(
        modules,
        include_path=[mirror_declarations()],
        language_level=3,
        compiler_directives={"boundscheck": False, "wraparound": False, "cdivision": True},
    )


setup(
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    package_data={"smtsched.theories": ["*.pxd", "*.pyx"], "smtsched.ext": ["*.pxd", "*.pyx"]},
    ext_modules=extensions(),
    zip_safe=False,
)
