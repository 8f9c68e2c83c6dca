"""Run a step of the build in a child process bounded in time and memory.

User templates can loop or allocate without end, and WeasyPrint can take any time or memory
on a pathological document: neither can be bounded from inside the process (a single huge
string operation never returns to the interpreter). A forked child can: it gets an address
space limit, the parent waits for it a bounded time and kills it, and it dies with its parent
(a killed build leaves no child behind, blocked on a pipe nobody reads).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import BuildError, InputError

PR_SET_PDEATHSIG = 1
YIELDING = 10  # the niceness of a worker off the critical path (os.nice)


class Exceeded(Exception):
    """The child ran out of its time or memory."""

    def __init__(self, what: str):
        self.what = what  # "time" or "memory"
        super().__init__(what)


def run_bounded(function: Callable[..., Any], *args: Any, seconds: float, memory: int) -> Any:
    """function(*args) in a child process, with `memory` bytes of address space more than the
    parent has now; its result, or its BuildError raised again here, or Exceeded."""
    return start_bounded(function, *args, seconds=seconds, memory=memory).result()


def start_bounded(function: Callable[..., Any], *args: Any, seconds: float, memory: int,
                  parts: bool = False) -> "Running":
    """function(*args) started in a bounded child process, to run while this one goes on (the
    PDF of each edition is laid out while Arelle validates): its result comes with .result().
    With parts, the function is also given a send(part) with which it hands over what is ready
    before its result (an edition's print HTML, to be laid out while its other documents are
    rendered); .part() takes each in turn."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    limit = _address_space() + memory
    parent = os.getpid()
    if parts:
        args = (*args, _PartSender(sender))
    process = context.Process(target=_child, args=(function, args, limit, parent, sender), daemon=True)
    process.start()
    sender.close()
    return Running(process, receiver, time.monotonic() + seconds)


class Worker:
    """A bounded child process started before its work is known, so that its slow imports
    (WeasyPrint, Arelle: half a second each) are done while the build loads and renders; it then
    runs one function, bounded as start_bounded() bounds it from the moment it is given. A
    yielding one runs at a lower priority: its work is off the critical path (Arelle beside the
    PDF layouts), so the processes on it get the cores first."""

    def __init__(self, modules: tuple[str, ...], *, yielding: bool = False):
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_worker, args=(modules, os.getpid(), child, yielding), daemon=True)
        self.process.start()
        child.close()
        self.replacement: Running | None = None

    def start(self, function: Callable[..., Any], *args: Any, seconds: float, memory: int) -> "Running":
        """function(*args) run in the worker, with `memory` bytes of address space more than it has
        now; its result comes with .result() as from start_bounded()."""
        try:
            self.connection.send((function, args, memory))
        except (OSError, EOFError):  # the worker died before its work (killed from outside): a new one
            self.stop()
            self.replacement = start_bounded(function, *args, seconds=seconds, memory=memory)
            return self.replacement
        return Running(self.process, self.connection, time.monotonic() + seconds)

    def stop(self) -> None:
        """Ends the worker, whether it was given no work (a build that failed before it) or has not
        finished it (one that failed meanwhile)."""
        if self.replacement is not None:
            self.replacement.stop()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def _worker(modules: tuple[str, ...], parent: int, connection, yielding: bool) -> None:
    _die_with(parent)
    if yielding:
        os.nice(YIELDING)
    import importlib

    for module in modules:
        importlib.import_module(module)
    try:
        function, args, memory = connection.recv()
    except (EOFError, OSError):  # the build ended without work for it
        os._exit(0)
    limit = _address_space() + memory
    _child(function, args, limit, parent, connection)


class Running:
    """A child process at work; its time runs from its start."""

    def __init__(self, process, receiver, deadline: float):
        self.process, self.receiver, self.deadline = process, receiver, deadline

    def result(self) -> Any:
        """The function's result; the parts it sent before, and nobody took, are passed over."""
        try:
            kind, payload = self._received()
            while kind == "part":
                kind, payload = self._received()
        finally:
            self.stop()
        return _returned(kind, payload)

    def part(self) -> Any:
        """The next part the child sent ahead of its result (start_bounded(parts=True)); the
        child goes on. Its failure before it is raised here, as result() raises it."""
        try:
            kind, payload = self._received()
        except Exceeded:
            self.stop()
            raise
        if kind == "part":
            return payload
        self.stop()
        _returned(kind, payload)
        raise RuntimeError("the child ended without sending its part")  # a bug of ours: the CLI says so

    def _received(self) -> tuple[str, Any]:
        try:
            if not self.receiver.poll(max(0.0, self.deadline - time.monotonic())):
                raise Exceeded("time")
            return self.receiver.recv()
        except EOFError:
            raise Exceeded("memory") from None  # killed by the kernel, or it ended without a word

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.receiver.close()


class _PartSender:
    """What a child function sends a part of its work with, ahead of its result."""

    def __init__(self, sender):
        self.sender = sender

    def __call__(self, part: Any) -> None:
        self.sender.send(("part", part))


def _returned(kind: str, payload: Any) -> Any:
    if kind == "ok":
        return payload
    if kind == "memory":
        raise Exceeded("memory")
    if kind == "input":
        error_type, problems = payload
        raise error_type(problems)
    if kind == "build":
        error_type, message = payload
        error = error_type.__new__(error_type)  # as raised, whatever its constructor takes
        Exception.__init__(error, message)
        raise error
    raise RuntimeError(payload)  # a bug of ours in the child: the CLI says so


def _child(function, args, limit: int, parent: int, sender) -> None:
    _die_with(parent)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        sender.send(("ok", function(*args)))
    except MemoryError:
        sender.send(("memory", None))
    except InputError as e:
        sender.send(("input", (type(e), e.problems)))
    except BuildError as e:
        sender.send(("build", (type(e), str(e))))
    except BaseException as e:  # noqa: BLE001 - whatever it is, the parent says it plainly
        sender.send(("crash", f"{type(e).__name__}: {e}"))
    finally:
        sender.close()


def _die_with(parent: int) -> None:
    """The kernel kills this process when its parent dies; Ctrl-C and SIGTERM end it at once."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent still kills it when it can
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


@contextmanager
def cycles_left_for_later() -> Iterator[None]:
    """Python's cycle collector paused for a step that makes millions of objects and keeps most of
    them (WeasyPrint's boxes, Arelle's model, the templates' output, the loaded report): each
    collection of the oldest generation walks all of them again, a fifth of a 10,000-fact layout's
    time, a tenth of a validation's or of `check`, for a few megabytes of cycles, which the step's
    process frees when it ends (or a collection after it, where the process goes on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _address_space() -> int:
    """The bytes of address space this process uses now (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0
