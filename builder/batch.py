"""Building many reports at once (a consultancy's or a data vendor's portfolio): each report in
its own process, built as `build-report REPORT --quiet` builds it, several at a time.

A process per report keeps each build's bounds, its atomic output and its clean-up on Ctrl-C
exactly as for one report, and a report that crashes or exhausts its memory cannot take the
others with it. The command forks each from a server that imported the builder and its
libraries (WeasyPrint, matplotlib, Arelle) once for the whole batch: a command of its own per
report imports them, a second and a half of CPU, a third of a small report's. Going past one
machine is a matter of running the same command over a share of the reports per machine (a job
array); see the README.
"""

from __future__ import annotations

import contextlib
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
    only part of its time (its layout beside its validation), and one forked from the fork server
    has no imports to wait for: 8 small reports on 2 cores took 13.0 s two at a time, 18.1 s one
    at a time (four reports of two editions, which keep two cores busy by themselves, 34.5 s
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
               fork_server: bool = False) -> list[Outcome]:
    """Builds every report as `build-report REPORT --quiet OPTIONS` does, `jobs` at a time, each in
    a process of its own; `done` hears of each as it ends. The outcomes are in the order of
    `reports`. fork_server: each process forked from a fork server that has imported what a build
    imports (as the command does), rather than a `build-report` command of its own; Python's
    multiprocessing then imports the caller's main module in each, which must guard its work
    with `if __name__ == "__main__":`."""
    server = _fork_server(options) if fork_server else None
    waiting = list(enumerate(reports))
    running: dict[Any, _Build] = {}  # by the end of its output pipe, which is read here
    outcomes: dict[int, Outcome] = {}
    try:
        while waiting or running:
            while waiting and len(running) < max(1, jobs):
                build = _Build.start(server, *waiting.pop(0), options)
                running[build.output] = build
            for fd in wait(list(running)):
                build = running[fd]
                if build.read():
                    continue
                del running[fd]  # its output ended: it has ended
                outcomes[build.index] = build.outcome()
                done(outcomes[build.index])
    except BaseException as e:
        _stop(running.values(), getattr(e, "signum", None))
        raise
    return [outcomes[index] for index in range(len(reports))]


@dataclass
class _Build:
    """One report's build in its process, and what it printed so far."""

    index: int
    report: Path
    process: multiprocessing.process.BaseProcess | subprocess.Popen
    output: Any  # the end of the pipe its output comes through (a Connection, a file)
    started: float
    printed: list[bytes] = field(default_factory=list)

    @classmethod
    def start(cls, server, index: int, report: Path, options: list[str]) -> _Build:
        """Forked from the fork server, or (without one) a `build-report` command of its own."""
        arguments = [str(report), "--quiet", *options]
        started = time.perf_counter()
        if server is None:
            command = subprocess.Popen([sys.executable, "-m", "builder", "build", *arguments],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            return cls(index, report, command, command.stdout, started)
        output, child_output = server.Pipe(duplex=False)
        process = server.Process(target=_build_in_child, args=(arguments, child_output), name=f"build-report {report}")
        try:
            process.start()
        except BaseException:
            output.close()
            raise
        finally:
            child_output.close()  # the child's end: once the child ends, reading here ends
        return cls(index, report, process, output, started)

    def read(self) -> bool:
        """What the build printed since; False once it has ended."""
        chunk = os.read(self.output.fileno(), 65536)
        if chunk:
            self.printed.append(chunk)
        return bool(chunk)

    def outcome(self) -> Outcome:
        exit_code = self.wait()
        printed = b"".join(self.printed).decode("utf-8", errors="replace").strip()
        return Outcome(self.report, exit_code, time.perf_counter() - self.started, printed)

    def send(self, signum: int) -> None:
        if isinstance(self.process, subprocess.Popen):
            self.process.send_signal(signum)  # unless it has ended
        elif self.process.is_alive():
            with contextlib.suppress(ProcessLookupError):  # it has just ended
                os.kill(self.process.pid, signum)

    def wait(self) -> int:
        self.output.close()
        if isinstance(self.process, subprocess.Popen):
            return self.process.wait()
        self.process.join()
        exit_code = self.process.exitcode
        self.process.close()  # its sentinel's file: a portfolio of a thousand reports would run out of them
        return exit_code


def _build_in_child(arguments: list[str], output) -> None:
    """The build of one report, in its process: what it prints goes to the batch through
    `output`; the process ends with the command's exit code."""
    os.dup2(output.fileno(), 1)
    os.dup2(output.fileno(), 2)
    output.close()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the fork server ignores Ctrl-C; a build heeds it
    from .cli import run

    run(["build", *arguments])


def _stop(builds, signum: int | None) -> None:
    """The builds still running, stopped with the batch. Ctrl-C reached them too, from the
    terminal (signum None); a SIGTERM or SIGHUP sent to the batch alone is passed on to each. Each
    cleans up behind itself as one build stopped so does, and is waited for."""
    for build in builds:
        if signum is not None:
            build.send(signum)
    for build in builds:
        build.wait()


def _fork_server(options: list[str]):
    """The fork server's context, its server having imported what the builds will import (the
    builder and the libraries of the workers the options ask for); None where a build cannot be
    forked from one: where a build does not fork its own workers either
    (builder.bounded.preloading_works: Linux), or in a daemonic process (a pool's worker), which
    multiprocessing forbids to start processes."""
    from .bounded import preloading_works

    if not preloading_works() or multiprocessing.current_process().daemon:
        return None
    from .workers import KINDS

    wanted = {"charts": True, "layout": "--no-pdf" not in options, "validation": "--no-xbrl" not in options}
    server = multiprocessing.get_context("forkserver")
    # heard only by a fork server not yet started: one per batch command (the server is shared by
    # all the batches of a process, as a test run has)
    server.set_forkserver_preload(["builder.cli", "builder.build", "builder.workers",
                                   *(module for kind, (modules, _) in KINDS.items() if wanted[kind]
                                     for module in modules)])
    _start_server_deaf_to_ctrl_c()
    return server


def _start_server_deaf_to_ctrl_c() -> None:
    """The fork server started ignoring Ctrl-C, as a fork server does once it has imported: the
    terminal sends Ctrl-C to the whole batch, and one arriving while the server imports would
    print its traceback instead of the batch's word on what it stopped. A program inherits an
    ignored signal; one pressed meanwhile is held here (blocked: Linux keeps a blocked signal
    pending even while it is ignored) and stops the batch once the server has started."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():  # a pool's thread: no terminal's Ctrl-C
        forkserver.ensure_running()
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
