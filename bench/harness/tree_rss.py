"""Peak memory of a run's whole process tree (issue 16 asks for at most 2 GB per run), polled
from /proc: a solver may do its work in children of its own (`smtsched dnn` searches in a
forked child, CP-SAT in threads of one process), and getrusage(RUSAGE_CHILDREN) in the harness
cannot tell one run from the next (it keeps the largest child of the harness's whole life)
nor sum a tree (it gives the largest single process).

    with TreeRss() as rss:
        done = process.run(...)
    rss.peak_mb()   # None where /proc is not there

Every `interval` seconds a thread lists the descendants of this process (their parent ids,
from /proc/PID/stat) and reads VmRSS and VmHWM from each one's /proc/PID/status. Kept: the
largest sum of VmRSS over the tree at one poll (`sum_mb`) and the largest VmHWM of one process
(`hwm_mb`: the kernel's own peak resident size of that process, exact between polls too).
The peak is the larger of the two: a lower estimate of the tree's true peak (a short spike of
two processes at once between polls is missed; pages shared by a forked child and its parent
are counted twice in the sum, which errs on the high side). Runs are sequential, so every
descendant during a run belongs to it.
"""
import os
import threading


def _parent_of(pid):
    with open("/proc/%s/stat" % pid) as stream:
        text = stream.read()
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the
    # last ')'
    return int(text[text.rindex(")") + 2:].split()[1])


def _memory_kb(pid):
    rss = hwm = 0
    with open("/proc/%s/status" % pid) as stream:
        for line in stream:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


def descendants(root):
    """The process ids below `root` now (children, their children, ...)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                children.setdefault(_parent_of(entry), []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue  # gone meanwhile, or unreadable
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


class TreeRss:
    def __init__(self, interval=0.2, root=None):
        self.interval = interval
        self.root = os.getpid() if root is None else root
        self.available = os.path.isdir("/proc/self")
        self.sum_kb = self.hwm_kb = 0
        self.polls = 0
        self._stop = threading.Event()
        self._thread = None

    def poll(self):
        total = 0
        for pid in descendants(self.root):
            try:
                rss, hwm = _memory_kb(pid)
            except (OSError, ValueError):
                continue
            total += rss
            self.hwm_kb = max(self.hwm_kb, hwm)
        self.sum_kb = max(self.sum_kb, total)
        self.polls += 1

    def _loop(self):
        while not self._stop.wait(self.interval):
            self.poll()

    def __enter__(self):
        if self.available:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        return False

    def peak_mb(self):
        if not self.available or not self.polls:
            return None
        return max(self.sum_kb, self.hwm_kb) / 1024.0

    def fields(self):
        """What a run records: tree_rss_mb (the peak), and its two parts and the polls."""
        return {"tree_rss_mb": self.peak_mb(), "tree_rss_sum_mb": self.sum_kb / 1024.0,
                "tree_rss_hwm_mb": self.hwm_kb / 1024.0, "tree_rss_polls": self.polls}
