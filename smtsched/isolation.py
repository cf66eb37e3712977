"""Run one function in a forked child process, under a wall-clock and a memory limit.

Why: CaDiCaL's search holds the GIL and cannot be interrupted from Python (see
../shared/PYSAT-NOTES.md), so a hard limit must be enforced from outside; and a child that
crashes or runs out of memory takes nothing of the caller's state with it. `fork` makes the
child start with the caller's whole state (no pickling of the problem); only the result
travels back, pickled through a pipe.

`run(function, time_limit, memory_mb)` returns ``("ok", value)`` or ``(kind, message)`` with
kind one of "timeout", "memout", "interrupted", "crashed", "error".
"""
import gc
import os
import pickle
import select
import signal
import time
import traceback

# How long after the time limit the child is killed: the search checks the clock itself and
# normally stops first, with its statistics; the kill is the backstop.
GRACE = 0.5
POLL = 0.05


def available():
    return hasattr(os, "fork")


def run(function, time_limit=None, memory_mb=None, on_message=None):
    """Run `function()` in a child. With `on_message`, the child's function is called as
    `function(send)`, and every object it passes to `send` reaches `on_message` in the parent
    as it arrives (progress that survives a kill)."""
    read_end, write_end = os.pipe()
    _flush_standard_streams()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        _child(function, write_end, memory_mb, on_message is not None)
    os.close(write_end)
    try:
        return _parent(pid, read_end, time_limit, memory_mb, on_message)
    finally:
        os.close(read_end)


def _write_message(write_end, payload):
    try:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        data = pickle.dumps(("error", RuntimeError(f"result not transferable: {error!r}"), ""))
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        written = os.write(write_end, view)
        view = view[written:]


def _child(function, write_end, memory_mb, streaming):
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides about Ctrl-C
        # Everything inherited stays alive (the parent's copy holds it): the cyclic collector
        # need not walk it again at every full pass in the child (millions of terms for a
        # large SMT-LIB file); it also keeps the collector from writing to the shared pages.
        gc.freeze()
        if memory_mb is not None:
            _limit_address_space(memory_mb)
        try:
            if streaming:
                value = function(lambda message: _write_message(write_end, ("message", message)))
            else:
                value = function()
            payload = ("ok", value)
        except MemoryError:
            payload = ("memout", "the memory limit was reached")
        except BaseException as error:  # report, never re-raise in a forked child
            payload = ("error", error, traceback.format_exc())
        _write_message(write_end, payload)
    except BaseException:
        code = 70
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _parent(pid, read_end, time_limit, memory_mb, on_message):
    deadline = None if time_limit is None else time.monotonic() + time_limit + GRACE
    buffer = bytearray()
    final = None
    verdict = None

    def take_messages():
        nonlocal final
        while len(buffer) >= 8:
            size = int.from_bytes(buffer[:8], "little")
            if len(buffer) < 8 + size:
                return
            payload = pickle.loads(bytes(buffer[8:8 + size]))
            del buffer[:8 + size]
            if payload[0] == "message":
                if on_message is not None:
                    on_message(payload[1])
            else:
                final = payload

    try:
        while True:
            wait = POLL
            if deadline is not None:
                wait = max(0.0, min(wait, deadline - time.monotonic()))
            ready, _, _ = select.select([read_end], [], [], wait)
            if ready:
                data = os.read(read_end, 1 << 16)
                if not data:
                    break  # the child closed the pipe: finished (or died)
                buffer += data
                take_messages()
                continue
            if deadline is not None and time.monotonic() >= deadline:
                verdict = ("timeout", "timeout")
                break
            if memory_mb is not None and _rss_mb(pid) > memory_mb:
                verdict = ("memout", "memout")
                break
    except KeyboardInterrupt:
        _kill(pid)
        raise
    except Exception as error:  # an unreadable message
        _kill(pid)
        return ("crashed", f"the search process sent an unreadable result ({error!r})")
    if verdict is not None:
        _kill(pid)
        return verdict
    _, status = os.waitpid(pid, 0)
    if final is not None:
        return final
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if memory_mb is not None and number in (signal.SIGABRT, signal.SIGKILL, signal.SIGSEGV):
            # an allocation refused under the address-space limit aborts C++ code
            return ("memout", f"memout (the search process ended by signal {number} under "
                              f"the {memory_mb} MB limit)")
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ \
            else str(number)
        return ("crashed", f"the search process was killed by signal {name}")
    return ("crashed", f"the search process exited with code {os.WEXITSTATUS(status)} "
                       "without an answer")


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _rss_mb(pid):
    try:
        with open(f"/proc/{pid}/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)
    except (OSError, ValueError, IndexError):
        return 0.0


def _limit_address_space(memory_mb):
    """Backstop for allocations between two RSS polls: cap the address space at what the
    process has mapped now plus the limit (mapped memory grows at least as fast as resident
    memory, so this never fires before the RSS limit would)."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = mapped + memory_mb * (1 << 20)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (OSError, ValueError, ImportError):
        pass


def _flush_standard_streams():
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
