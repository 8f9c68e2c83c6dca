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
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import BuildError, InputError

PR_SET_PDEATHSIG = 1
STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # the signals that stop a build
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
                  parts: bool = False, fed: bool = False) -> "Running":
    """function(*args) started in a bounded child process, to run while this one goes on (the
    PDF of each edition is laid out while Arelle validates): its result comes with .result().
    With parts, the function is also given a send(part) with which it hands over what is ready
    before its result (an edition's print HTML, to be laid out while its other documents are
    rendered); .part() takes each in turn. Fed, it is also given a receive() that waits for what
    the build sends it with .feed() once it runs (an edition's charts, drawn while its layout
    starts)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=fed)
    limit = _address_space() + memory
    parent = os.getpid()
    if parts:
        args = (*args, _PartSender(sender))
    process = context.Process(target=_child, args=(function, args, limit, parent, sender, fed), daemon=True)
    process.start()
    sender.close()
    return Running(process, receiver, time.monotonic() + seconds)


class Worker:
    """A bounded child process started before its work is known, so that its slow imports
    (WeasyPrint, Arelle: half a second each) are done while the build loads and renders; it then
    runs one function, bounded as start_bounded() bounds it from the moment it is given. A
    yielding one runs at a lower priority, so that the processes on the critical path get the
    cores first (Arelle's import beside the render and charts, its validation beside the PDF
    layouts; a process alone on a core runs as fast niced or not). One forked by a Preloader has
    its modules imported already, once for all the build's workers."""

    def __init__(self, modules: tuple[str, ...], *, yielding: bool = False, preloader: Preloader | None = None):
        self.replacement: Running | None = None
        forked = preloader.fork() if preloader is not None else None
        if forked is not None:
            self.connection, self.process = forked
            return
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_worker, args=(modules, os.getpid(), child, yielding), daemon=True)
        self.process.start()
        child.close()

    def start(self, function: Callable[..., Any], *args: Any, seconds: float, memory: int,
              fed: bool = False) -> "Running":
        """function(*args) run in the worker, with `memory` bytes of address space more than it has
        now; its result comes with .result() as from start_bounded(), and fed as there."""
        try:
            self.connection.send((function, args, memory, fed))
        except OSError:  # the worker died before its work (killed from outside): a new one
            self.stop()
            self.replacement = start_bounded(function, *args, seconds=seconds, memory=memory, fed=fed)
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
        function, args, memory, fed = connection.recv()
    except (EOFError, OSError):  # the build ended without work for it
        os._exit(0)
    limit = _address_space() + memory
    _child(function, args, limit, parent, connection, fed)


class Preloader:
    """A child process that imports a kind of worker's modules (WeasyPrint, matplotlib or Arelle)
    as soon as it starts, and forks each Worker of that kind from itself: a build starts one of
    each kind it may need as the command starts (builder.workers), so that the imports run while
    the build imports its own modules and loads the report, on the core that is otherwise idle
    then; and several editions' workers share the import. A yielding one imports, and its workers
    run, at a lower priority. Its workers are its children, which the kernel kills when it dies
    (as it dies with the build); stop() has it kill those still running and reap them all. The
    build follows a worker's process by a pidfd."""

    def __init__(self, modules: tuple[str, ...], *, yielding: bool = False):
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe(duplex=True)
        # the build's ends of its other preloaders' connections, which it would hold open too
        builds = [self.connection, *(other.connection for other in _PRELOADING)]
        self.process = context.Process(target=_preloader, args=(modules, yielding, os.getpid(), child, builds),
                                       daemon=True)
        self.process.start()
        child.close()
        self.stopped = False
        _PRELOADING.append(self)

    def fork(self) -> "tuple[Any, _Forked] | None":
        """A worker's connection and process, forked once the modules are imported; None when the
        preloader is gone (the worker is then started on its own)."""
        from multiprocessing.reduction import send_handle

        ours, theirs = multiprocessing.get_context("fork").Pipe(duplex=True)
        try:
            self.connection.send("fork")
            send_handle(self.connection, theirs.fileno(), self.process.pid)
        except OSError:
            ours.close()
            return None
        finally:
            theirs.close()
        return ours, _Forked(ours)

    def stop(self) -> None:
        """Ends the preloader and whatever worker of it still runs: one that has imported its
        modules ends on its own, reaping its workers; one still importing (a build stopped
        early: bad input, a report the checks refuse) has none and is killed at once."""
        if self.stopped:
            return
        self.stopped = True
        _PRELOADING.remove(self)
        imported = self.connection.poll(0)  # it says so before it forks a worker
        if imported:
            try:
                self.connection.send("stop")  # it kills its workers, reaps them and ends
            except OSError:  # it died
                pass
            self.process.join(5)
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def preloading_works() -> bool:
    """Whether workers can be forked by a Preloader here (Linux 5.3 or later: pidfds)."""
    try:
        os.close(os.pidfd_open(os.getpid()))
        return hasattr(signal, "pidfd_send_signal")
    except (AttributeError, OSError):
        return False


_PRELOADING: list[Preloader] = []  # those not stopped yet


def _preloader(modules: tuple[str, ...], yielding: bool, parent: int, connection, builds: list) -> None:
    import importlib
    from multiprocessing.connection import Connection
    from multiprocessing.reduction import recv_handle

    _die_with(parent)
    for end in builds:  # the build's ends, forked with it: its workers have no use for them
        end.close()
    if yielding:
        os.nice(YIELDING)  # its workers inherit it
    for module in modules:
        importlib.import_module(module)
    me = os.getpid()
    workers: dict[int, int] = {}  # pid: pidfd
    try:
        connection.send("imported")
        while connection.recv() == "fork":
            handle = recv_handle(connection)
            if _given_up(handle):  # the build stopped that worker before it was forked
                os.close(handle)
                continue
            pid = os.fork()
            if pid == 0:
                try:
                    _die_with(me)  # first: from here on it dies with the preloader
                    connection.close()
                    for pidfd in workers.values():
                        os.close(pidfd)
                    ours = Connection(handle)
                    ours.send(("started", os.getpid(), _started(os.getpid())))
                    _worker((), parent=me, connection=ours, yielding=False)
                finally:
                    os._exit(0)
            os.close(handle)
            workers[pid] = os.pidfd_open(pid)
    except (EOFError, OSError):  # the build is done with it
        pass
    # reaped here, not by the kernel as they end, so that their time and memory count as the
    # build's (the benchmark reads them); until then an ended one keeps its pid, which none takes
    for pid, pidfd in workers.items():
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)  # an ended one takes it as a no-op
        os.waitpid(pid, 0)


def _given_up(handle: int) -> bool:
    """Whether the build has closed its end of a worker's connection (also when the work it sent
    before is still there to read)."""
    closed = select.poll()
    closed.register(handle, select.POLLRDHUP | select.POLLHUP)
    return bool(closed.poll(0))


def stat_of(pid: int) -> list[bytes]:
    """The fields of /proc/<pid>/stat after the command's name (state, parent, ...; proc(5)'s
    third field on); OSError once the process is gone."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        return stat.read().rsplit(b")", 1)[1].split()


def _started(pid: int) -> int:
    """When the process started (clock ticks since boot): with its pid, it names that process
    and no other that may later take the pid."""
    return int(stat_of(pid)[19])


class _Forked:
    """A Preloader's worker, as the build sees it: the process is not the build's child, so it is
    followed by a pidfd (is_alive, kill, join as a multiprocessing.Process's), once the worker has
    said which process it is. That is the first thing it sends, read by whoever reads first: the
    Running that waits for its result, or is_alive() without waiting. Until then it is not
    followed: a worker given up before is not forked, or is killed by its preloader's stop()."""

    def __init__(self, connection):
        self.connection = connection
        self.pidfd: int | None = None
        self.ended = False

    def said(self, pid: int, started: int) -> None:
        """The worker's ("started", pid, started) message, read from its connection."""
        try:
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # it ended, and was reaped
            self.ended = True
            return
        try:
            if _started(pid) == started:
                self.pidfd = pidfd
                return
        except OSError:
            pass
        os.close(pidfd)  # it ended, and its pid is another's
        self.ended = True

    def _heard(self) -> None:
        """Reads which process it is, if it has said so and nobody has read it yet."""
        if self.pidfd is None and not self.ended and not self.connection.closed and self.connection.poll(0):
            try:
                self.said(*self.connection.recv()[1:])
            except (EOFError, OSError):  # its preloader died before forking it
                self.ended = True

    def is_alive(self) -> bool:
        self._heard()
        if self.pidfd is None:
            return False  # not forked yet, or ended
        return not select.select([self.pidfd], [], [], 0)[0]

    def kill(self) -> None:
        if self.pidfd is not None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def join(self) -> None:
        if self.pidfd is not None:
            select.select([self.pidfd], [], [])
            os.close(self.pidfd)
            self.pidfd = None
            self.ended = True


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
            while True:
                if not self.receiver.poll(max(0.0, self.deadline - time.monotonic())):
                    raise Exceeded("time")
                message = self.receiver.recv()
                if message[0] != "started":
                    return message
                self.process.said(*message[1:])  # a preloader's worker says which process it is, first
        except EOFError:
            raise Exceeded("memory") from None  # killed by the kernel, or it ended without a word

    def feed(self, message: Any) -> None:
        """Sends a child started fed what it waits for; a child that ended is told nothing (its
        result says why it ended)."""
        try:
            self.receiver.send(message)
        except OSError:
            pass

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.receiver.close()


class _Received:
    """What a child function started fed receives what the build sends it with. A thread reads it
    as soon as it comes, whether or not the function has asked for it yet: a message larger than
    the pipe holds (forty charts) would otherwise keep the build waiting on the child, and a child
    that never asks (its charts hidden by a report's own stylesheet) would, done, wait on the
    build to read its result."""

    def __init__(self, connection):
        self.connection = connection
        self.message: Any = None
        self.come = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            self.message = self.connection.recv()
        except (EOFError, OSError):  # the build is gone: the child dies with it
            pass
        self.come.set()

    def __call__(self) -> Any:
        self.come.wait()
        return self.message


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


def _child(function, args, limit: int, parent: int, sender, fed: bool = False) -> None:
    _die_with(parent)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if fed:
        args = (*args, _Received(sender))
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
    """The kernel kills this process when its parent dies; Ctrl-C, SIGTERM and a hangup end it at
    once (the build's own handlers, inherited, would unwind it as the build)."""
    for stopping in STOPPING:
        signal.signal(stopping, signal.SIG_DFL)
    ends_with(parent, signal.SIGKILL, exit_code=1)


def ends_with(parent: int, signum: int, *, exit_code: int) -> None:
    """The kernel sends this process `signum` when its parent dies (a worker's build, a batch's
    build's batch); if the parent died before that took effect, it ends now with exit_code."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum)
    except (OSError, AttributeError):  # not Linux: the parent still stops it when it can
        pass
    if os.getppid() != parent:
        os._exit(exit_code)


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
