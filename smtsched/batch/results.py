"""The results file of a batch: one JSON object per line, appended and flushed as each
instance ends, so that a batch stopped at any point (Ctrl-C, a crash, a lost machine) keeps
every line written and resumes from them."""
import json
import os


def key(path, options):
    """What makes a result the answer to a run: the absolute input path and the options."""
    return (path, json.dumps(options, sort_keys=True))


def done(filename):
    """The keys of the records already in `filename` (none if it does not exist). A line
    that does not parse (the last one, cut short by a crash) is not a result: it is run
    again."""
    keys = set()
    try:
        with open(filename, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                    keys.add(key(entry["path"], entry["options"]))
                except (ValueError, KeyError, TypeError):
                    continue
    except FileNotFoundError:
        pass
    return keys


class Writer:
    """Appends records to the results file, each line written whole and flushed to disk."""

    def __init__(self, filename):
        self.file = open(filename, "a+b")
        # a line cut short by a crash: start on a fresh line, so the next record parses
        self.file.seek(0, os.SEEK_END)
        if self.file.tell():
            self.file.seek(-1, os.SEEK_END)
            if self.file.read(1) != b"\n":
                self.file.write(b"\n")

    def write(self, entry):
        self.file.write(json.dumps(entry, ensure_ascii=False).encode("utf-8",
                                                                     "backslashreplace")
                        + b"\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self):
        self.file.close()
