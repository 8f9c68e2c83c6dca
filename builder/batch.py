"""Building many reports at once (a consultancy's or a data vendor's portfolio): each report in
its own process, built as `build-report REPORT --quiet` builds it, several at a time.

A process per report keeps each build's bounds, its atomic output and its clean-up on a stop
exactly as for one report, and a report that crashes or exhausts its memory cannot take the
others with it. The command forks each from itself, once it has imported the builder and its
libraries (WeasyPrint, matplotlib, Arelle) for the whole batch: a command of its own per report
imports them, a second and a half of CPU, a third of a small report's. Going past one machine is
a matter of running the same command over a share of the reports per machine (a job array); see
the README.
"""

from __future__ import annotations

import importlib
import io
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from .bounded import STOPPING, ends_with, preloading_works

# Each build is a process group of its own, which the batch passes a stopping signal on to, once
# (a terminal's Ctrl-C reaches the batch alone).
# A build as a command of its own (where it cannot be forked from the batch), as `build-report
# REPORT`: ended by the kernel if the batch dies (_end_with), with the stopping signals, held while
# it was started, let through (-P: the folder it runs in cannot shadow the builder's modules)
COMMAND = ("import signal, sys; from builder.batch import STOPPING, _end_with; _end_with(int(sys.argv[1])); "
           "signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING); from builder.cli import run; run(sys.argv[2:])")


@dataclass
class Outcome:
    report: Path
    exit_code: int
    seconds: float
    printed: str  # what its build printed: its warnings, or why it failed

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def default_jobs() -> int:
    """As many as the cores this process may use. A build of one edition keeps two of them busy
    only part of its time (its layout beside its validation), and one forked from the batch has
    no imports to wait for: 8 small reports on 2 cores took 13.0 s two at a time, 18.1 s one at
    a time (four reports of two editions, which keep two cores busy by themselves, 34.5 s
    against 32.7 s: the README says so)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def report_file(argument: Path) -> Path:
    """A report named by its YAML file or by its folder, which holds company.yaml (a folder
    without one is left as it is, for the loader to say so)."""
    return argument / "company.yaml" if (argument / "company.yaml").is_file() else argument


def build_many(reports: list[Path], jobs: int, options: list[str], done: callable = lambda outcome: None, *,
               fork: bool = False, command: bool = False) -> list[Outcome]:
    """Builds every report as `build-report REPORT --quiet OPTIONS` does, `jobs` at a time, each in
    a process of its own; `done` hears of each as it ends. The outcomes are in the order of
    `reports`. fork: each process forked from this one, which first imports what a build imports
    (as the command does), rather than a `build-report` command of its own; where it cannot be
    (see _can_fork), commands are run. command: this process is the build-report command's, whose
    global state the builder may set for every build (Arelle's plugins found once, see
    builder.arelle_plugins); a program's is left as it is."""
    forking = fork and _can_fork()
    if forking:
        _import_what_builds_import(options, command=command)
    waiting = list(enumerate(reports))
    running: dict[Any, _Build] = {}  # by the end of its output pipe, which is read here
    outcomes: dict[int, Outcome] = {}
    try:
        with _SuspendedTogether(running):
            while waiting or running:
                while waiting and len(running) < max(1, jobs):
                    index, report = waiting.pop(0)
                    with _signals_held():  # started and known here at once: a stop reaches it
                        others = [fd for build in running.values() for fd in build.files()]
                        build = _Build.start(index, report, options, forking, others)
                        running[build.output] = build
                for ended in _read(running):
                    outcomes[ended.index] = ended.outcome()
                    done(outcomes[ended.index])
    except BaseException as e:
        # the signal that stopped the batch; on anything else, SIGTERM, which a build always heeds
        # (a batch started with Ctrl-C ignored gives its builds that too)
        _stop(running, getattr(e, "signum", signal.SIGINT if type(e) is KeyboardInterrupt else signal.SIGTERM))
        raise
    return [outcomes[index] for index in range(len(reports))]


@dataclass
class _Build:
    """One report's build in its process (a process group of its own), and what it printed."""

    index: int
    report: Path
    process: multiprocessing.process.BaseProcess | subprocess.Popen
    output: Any  # the end of the pipe its output comes through (a Connection, a file)
    started: float
    printed: list[bytes] = field(default_factory=list)

    @classmethod
    def start(cls, index: int, report: Path, options: list[str], forking: bool, others: list[int]) -> _Build:
        """Forked from this process, or a `build-report` command of its own. others: the files of
        the builds running (the ends of their pipes here), which the child closes."""
        arguments = ["build", str(report), "--quiet", *options]
        started = time.perf_counter()
        if not forking:
            command = subprocess.Popen([sys.executable, "-P", "-c", COMMAND, str(os.getpid()), *arguments],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       process_group=0)
            return cls(index, report, command, command.stdout, started)
        context = multiprocessing.get_context("fork")
        output, child_output = context.Pipe(duplex=False)
        process = context.Process(target=_build_in_child, name=f"build-report {report}",
                                  args=(arguments, child_output, [output.fileno(), *others], os.getpid()))
        for stream in (sys.stdout, sys.stderr):  # what is buffered here is not the child's to print again
            if stream is not None:
                stream.flush()
        try:
            process.start()
            _own_group(process.pid)  # here too, or a stop sent before the child made it would miss it
        except BaseException:
            output.close()
            raise
        finally:
            child_output.close()  # the child's end: once it and its workers have ended, reading here ends
        return cls(index, report, process, output, started)

    def files(self) -> list[int]:
        """What of it this process holds open: the end of its pipe, and its sentinel."""
        if isinstance(self.process, subprocess.Popen):
            return [self.output.fileno()]
        return [self.output.fileno(), self.process.sentinel]

    def read(self) -> bool:
        """What the build printed since; False once it and its workers have ended."""
        chunk = os.read(self.output.fileno(), 65536)
        if chunk:
            self.printed.append(chunk)
        return bool(chunk)

    def outcome(self) -> Outcome:
        exit_code = self.wait()
        printed = b"".join(self.printed).decode("utf-8", errors="replace").strip()
        return Outcome(self.report, exit_code, time.perf_counter() - self.started, printed)

    def send(self, signum: int) -> None:
        """The signal, to the build and its workers (its process group)."""
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:  # they have ended
            pass

    def wait(self) -> int:
        self.output.close()
        if isinstance(self.process, subprocess.Popen):
            return self.process.wait()
        self.process.join()
        exit_code = self.process.exitcode
        self.process.close()  # its sentinel's file: a portfolio of a thousand reports would run out of them
        return exit_code


def _build_in_child(arguments: list[str], output, parents_ends: list[int], batch: int) -> None:
    """The build of one report, in its process: a process group of its own (a terminal's Ctrl-C
    reaches the batch, which passes it on); ended by the kernel (SIGTERM: it cleans up) if the
    batch dies, as a command's workers end with it; what it prints goes to the batch through
    `output`, written through as a command's stderr is; the process ends with the command's exit
    code. The stopping signals, held while it was forked, reach it once it is set up."""
    _own_group(0)
    _end_with(batch)
    for fd in parents_ends:  # the batch's ends of its builds' pipes: not this build's to hold open
        os.close(fd)
    os.dup2(output.fileno(), 1)
    os.dup2(output.fileno(), 2)
    output.close()
    # the streams a command has, not whatever this process had put in their place (pytest does)
    original = sys.__stdout__
    encoding, errors = (original.encoding, original.errors) if original is not None else ("utf-8", "strict")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding=encoding, errors=errors)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding=encoding, errors="backslashreplace",
                                  write_through=True)
    sys.argv = ["build-report", *arguments]
    signal.signal(signal.SIGTSTP, signal.SIG_DFL)  # the batch's own (_SuspendedTogether) is not a build's
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
        from .cli import run

        run(arguments)
    except KeyboardInterrupt as e:  # a stop before the command's own handling of it, or after
        os._exit(128 + getattr(e, "signum", signal.SIGINT))


def _end_with(batch: int) -> None:
    """SIGTERM from the kernel when the batch dies (SIGKILL, Ctrl-\\), so that no build outlives it."""
    ends_with(batch, signal.SIGTERM, exit_code=128 + signal.SIGTERM)


def _own_group(pid: int) -> None:
    """The process a group of its own, made by the child and by the batch, whichever comes first."""
    try:
        os.setpgid(pid, pid or os.getpid())
    except (PermissionError, ProcessLookupError):  # the child made it, and may have ended since
        pass


def _read(running: dict[Any, _Build]) -> list[_Build]:
    """What the running builds printed, read as it comes; those that have ended, taken out."""
    ended = []
    for output in wait(list(running)):
        if not running[output].read():
            ended.append(running.pop(output))
    return ended


def _stop(running: dict[Any, _Build], signum: int) -> None:
    """The builds still running, stopped with the batch: each given the signal that stopped the
    batch, once; each cleans up behind itself as one build stopped so does, and is waited for,
    to the end of its output (a second Ctrl-C meanwhile is held: the batch ends once they have)."""
    with _signals_held():
        for build in running.values():
            build.send(signum)
        while running:
            for ended in _read(running):
                ended.wait()


class _SuspendedTogether:
    """Ctrl-Z (SIGTSTP) suspends the running builds with the batch, which the terminal's Ctrl-Z
    does not reach (each is a process group of its own), and they go on when it does (the
    shell's fg or bg). Only where the batch heeds SIGTSTP, from its main thread."""

    def __init__(self, running: dict[Any, _Build]):
        self.running = running
        self.previous = None

    def __enter__(self) -> _SuspendedTogether:
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTSTP) == signal.SIG_DFL:
            self.previous = signal.signal(signal.SIGTSTP, self._suspend)
        return self

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTSTP, self.previous)

    def _suspend(self, signum, frame) -> None:
        for build in list(self.running.values()):
            build.send(signal.SIGSTOP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # suspended here, as a command is, until it is continued
        signal.signal(signal.SIGTSTP, self._suspend)
        for build in list(self.running.values()):
            build.send(signal.SIGCONT)


class _signals_held:
    """The stopping signals blocked (held pending, not lost) for the while, in this thread."""

    def __enter__(self):
        self.previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)

    def __exit__(self, *exc):
        signal.pthread_sigmask(signal.SIG_SETMASK, self.previous)


def _can_fork() -> bool:
    """Whether builds can be forked from this process: where a build forks its own workers
    (builder.bounded.preloading_works: Linux), from a process with no other Python thread (a
    thread's lock held at the fork would stay held in the child; the native thread numpy's
    OpenBLAS starts once matplotlib is imported is forked from by every build's workers too) and
    not daemonic (multiprocessing forbids a daemonic process, a pool's worker, to start processes)."""
    return (preloading_works() and threading.active_count() == 1
            and not multiprocessing.current_process().daemon)


def _import_what_builds_import(options: list[str], *, command: bool) -> None:
    """The builder and the libraries of the workers the options ask for, imported here once for
    every build forked from this process. One that fails to import (WeasyPrint without its
    system libraries) is left to each build, which says what is wrong as a command does."""
    from .validate import ARELLE_PLUGINS_FOUND
    from .workers import kinds_wanted

    kinds = kinds_wanted(layout="--no-pdf" not in options, validation="--no-xbrl" not in options)
    modules = ["builder.cli", "builder.build", *(module for modules, _ in kinds.values() for module in modules)]
    for module in modules if command else [m for m in modules if m != ARELLE_PLUGINS_FOUND]:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - see above
            pass
