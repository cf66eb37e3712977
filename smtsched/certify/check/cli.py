"""`smtsched check-proof DIR [--input FILE] [--engine E]`: prints the verdict, exit 0 or 1.

DIR holds one certificate (a manifest.json) or numbered sub-folders, one certificate each
(what `smtsched solve --proof DIR` writes for several answers); each is checked and reported
on its own line, and the exit code is 0 only when all are verified.
"""

import argparse
import os
import sys

from .rup import ENGINES
from .verify import certificates, check_one

__all__ = ["main"]


def _line(verdict):
    return "verified" if verdict.ok else f"{verdict.status}: {verdict.reason}"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="smtsched check-proof",
        description="Check an unsat, INFEASIBLE or OPTIMAL certificate against its input.")
    parser.add_argument("directory", help="a certificate folder, or a folder of numbered ones")
    parser.add_argument("--input", help="the input file (default: found from the manifest)")
    parser.add_argument("--engine", choices=ENGINES, default=None,
                        help="RUP engine for proof.drup (default: drup-forward, the "
                             "checker's own, every line; drup: backward, the lines the "
                             "refutation uses; glucose4 = propagate, PySAT Glucose)")
    args = parser.parse_args(argv)
    if os.path.isfile(os.path.join(args.directory, "manifest.json")):
        verdict = check_one(args.directory, args.input, args.engine)
        print(_line(verdict))
        return 0 if verdict.ok else 1
    names = certificates(args.directory)
    if not names:
        print(f"rejected: {args.directory}: no manifest.json and no numbered certificate "
              "folders")
        return 1
    ok = True
    for name in names:
        verdict = check_one(os.path.join(args.directory, name), args.input, args.engine)
        print(f"{name}: {_line(verdict)}")
        ok = ok and verdict.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
