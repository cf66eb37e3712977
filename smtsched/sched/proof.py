"""The certificate of one optimisation (`Model.solve(proof=DIR)`, `smtsched solve F --proof
DIR`): what the Optimizer needs to write it (docs/certificates.md).

`Certification(model, folder, input=None)` is made before the search. `prepare()` clears the
folder's old manifest and schedule, writes the model as DIR/model.json when no input file is
given (model_json's writer half, smtsched.sched.model_dump: the checker reads it with its own
reader), and asks the checker's own reader whether it can read the input at all (it
refuses, e.g., repeated memory or buffer names): a certificate it cannot check is not
written (`enabled` is then False and `note` says why; the search runs without a proof sink,
as fast as without proof).

`write(certificate, claim, assumptions, result)` writes the certificate, with schedule.json for
an optimal claim (smtsched.certify.emit.Certificate.write: manifest.json last, so a folder
without one is no certificate). The Optimizer decides which refutation backs the
claim (smtsched.sched.optimize.Optimizer.certify); nothing here is trusted by the checker.
"""
import hashlib
import os

MODEL_FILE = "model.json"
SCHEDULE_FILE = "schedule.json"


class Certification:
    """A certificate request: `folder`, and the input it names (`input`: {"file": a path,
    "format": "jobshop" | "psplib" | "model", optional "sha256"}; None: the model is written
    as folder/model.json). After the run, `written` is the folder when a certificate was
    written, else None and `note` says why."""

    def __init__(self, model, folder, input=None):
        self.model = model
        self.folder = os.fspath(folder)
        self.input = None if input is None else dict(input)
        self.enabled = True
        self.note = ""
        self.written = None

    def prepare(self):
        """Before the search: the folder, the input record, and whether the checker can read
        the input (else `enabled` is False, with the reason in `note`)."""
        if getattr(self.model, "earliness", None):
            # the checker's rules bound costs that grow with the ends (docs/certificates.md);
            # an earliness term's bound rests on the optimal timing of the orderings (the
            # convex cost theory's min-cost tension optimum), which it does not check
            return self.refuse("the checker has no rule for earliness terms (their bound is "
                               "the optimal timing of the orderings, which it does not "
                               "check)")
        data = None   # the input's bytes
        try:
            os.makedirs(self.folder, exist_ok=True)
            for stale in ("manifest.json", SCHEDULE_FILE):   # an earlier run's
                path = os.path.join(self.folder, stale)
                if os.path.exists(path):
                    os.remove(path)
            if self.input is None:
                from .model_dump import dumps   # (model_json's reader imports .model)
                data = dumps(self.model).encode("utf-8")
                with open(os.path.join(self.folder, MODEL_FILE), "wb") as out:
                    out.write(data)
                self.input = {"file": MODEL_FILE, "format": "model",
                              "sha256": hashlib.sha256(data).hexdigest()}
        except OSError as error:
            return self.refuse(f"cannot write the certificate into {self.folder}: "
                               f"{error.strerror or error}")
        if data is None:   # the caller's file
            try:
                with open(self.input["file"], "rb") as handle:
                    data = handle.read()
            except OSError as error:
                return self.refuse(f"cannot read the input {self.input['file']}: "
                                   f"{error.strerror or error}")
            self.input.setdefault("sha256", hashlib.sha256(data).hexdigest())
        problem = checker_cannot_read(data, self.input["format"])
        if problem is not None:
            return self.refuse(f"the checker cannot check this model ({problem})")
        return True

    def refuse(self, why):
        self.enabled = False
        self.note = f"no certificate: {why}"
        return False

    def write(self, certificate, claim, assumptions, result):
        """Write the certificate of `claim` (a manifest claim) refuted under `assumptions`
        (literals of the certificate's problem.cnf), with `result`'s schedule for an optimal
        claim. True when written; else `note` says why."""
        schedule = None
        if claim["kind"] == "optimal":
            schedule = {"starts": result.starts, "objective": claim["value"]}
        try:
            certificate.write(self.folder, claim=claim, assumptions=list(assumptions),
                              input=self.input, query={}, schedule=schedule)
        except RuntimeError as error:   # a stopped search: its answer was unknown
            self.note = f"no certificate: {error}"
            return False
        except OSError as error:
            self.note = (f"no certificate: cannot write it into {self.folder}: "
                         f"{error.strerror or error}")
            return False
        self.written = self.folder
        self.note = ""
        return True


def checker_cannot_read(data, format):
    """Why the certificate checker's own reader refuses the input `data` (bytes) of `format`,
    or None when it reads it. The reader is the checker's (smtsched.certify.check.sched), not
    smtsched's: a certificate is only worth writing when that one can check it."""
    from ..certify.check import sched as checker
    readers = {"jobshop": checker.read_jobshop, "psplib": checker.read_psplib,
               "model": checker.read_model}
    reader = readers.get(format)
    if reader is None:
        return f"no checker reader for the format {format!r}"
    try:
        reader(data.decode("utf-8"), {}, parse_only=True)
    except UnicodeDecodeError:
        return "the input is not UTF-8 text"
    except ValueError as error:
        return str(error)
    return None
