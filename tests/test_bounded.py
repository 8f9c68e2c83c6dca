"""The build's child processes: bounded in time and memory, started ahead of their work (workers
that import WeasyPrint and Arelle while the build renders), and never left behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from builder.bounded import Exceeded, Preloader, Worker, preloading_works, start_bounded, stat_of
from builder.cli import main

from .conftest import edit, in_a_fresh_python


def _imported(module: str) -> bool:
    import sys

    return module in sys.modules


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_a_worker_has_its_modules_imported_before_its_work_and_returns_its_result():
    assert not _imported("tabnanny"), "a module the tests never import, so that only the worker has it"
    worker = Worker(("tabnanny",))
    try:
        assert worker.start(_imported, "tabnanny", seconds=30, memory=256 * 1024**2).result() is True
    finally:
        worker.stop()
    assert not worker.process.is_alive()


def test_a_workers_work_is_bounded_in_memory_and_time_as_a_new_childs_is():
    for start in (lambda *a, **k: Worker(()).start(*a, **k), start_bounded):
        with pytest.raises(Exceeded) as exceeded:
            start(_allocate, 512, seconds=30, memory=64 * 1024**2).result()
        assert exceeded.value.what == "memory"
        began = time.monotonic()
        with pytest.raises(Exceeded) as exceeded:
            start(_sleep, 60, seconds=1, memory=64 * 1024**2).result()
        assert exceeded.value.what == "time" and time.monotonic() - began < 30


def _in_parts(first: str, then_sleep: float, send) -> str:
    send(first)
    time.sleep(then_sleep)
    return first.upper()


def _failing_before_its_part(send) -> None:
    raise ValueError("no part")


def test_a_child_hands_over_a_part_of_its_work_before_its_result():
    """An edition's print HTML is laid out while its other documents are rendered: the part
    arrives while the child is still at work (it sleeps for a minute; the part comes at once)."""
    began = time.monotonic()
    running = start_bounded(_in_parts, "print html", 60, seconds=120, memory=64 * 1024**2, parts=True)
    try:
        assert running.part() == "print html"
        assert time.monotonic() - began < 30 and running.process.is_alive()
    finally:
        running.stop()
    assert start_bounded(_in_parts, "print html", 0, seconds=30, memory=64 * 1024**2, parts=True).result() \
        == "PRINT HTML", "the result comes after a part not taken"
    running = start_bounded(_in_parts, "print html", 0, seconds=30, memory=64 * 1024**2, parts=True)
    assert (running.part(), running.result()) == ("print html", "PRINT HTML")


def test_a_child_that_fails_or_runs_out_before_its_part_says_so_where_the_part_is_awaited():
    running = start_bounded(_failing_before_its_part, seconds=30, memory=64 * 1024**2, parts=True)
    with pytest.raises(RuntimeError, match="ValueError: no part"):
        running.part()
    assert not running.process.is_alive()
    running = start_bounded(_sleep, 60, seconds=1, memory=64 * 1024**2, parts=False)
    with pytest.raises(Exceeded) as exceeded:
        running.part()
    assert exceeded.value.what == "time" and not running.process.is_alive()


def _fed(size: int, receive) -> int | bytes:
    if size:
        return len(receive())
    return b"%PDF" * (2 * 1024 * 1024)  # never asks for what it is fed; hands over a large result


def test_a_fed_child_takes_what_it_is_fed_at_once_whether_or_not_it_asks():
    """A layout started before its charts are drawn is fed them later (builder.render.send_charts):
    forty charts are more than a pipe holds, and a layout whose charts a report's own stylesheet
    hides never asks for them. The build's feed() returns at once all the same, and the child's
    result comes; a Worker's child is fed as a new child is."""
    import threading

    large = b"x" * (8 * 1024 * 1024)
    for start in (lambda *a, **k: Worker(()).start(*a, **k), start_bounded):
        for size in (len(large), 0):
            running = start(_fed, size, seconds=60, memory=256 * 1024**2, fed=True)
            feeding = threading.Thread(target=running.feed, args=(large,), daemon=True)
            feeding.start()
            feeding.join(30)
            assert not feeding.is_alive(), "the build waited on the child to take what it was fed"
            result = running.result()
            assert result == size if size else len(result) == 8 * 1024 * 1024


def test_a_worker_killed_before_its_work_is_replaced_by_a_new_child():
    worker = Worker(())
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.join()
    try:
        assert worker.start(_sleep, 0, seconds=30, memory=64 * 1024**2).result() == 0
    finally:
        worker.stop()


def test_a_build_its_checks_refuse_leaves_no_worker_behind(example_copy, capsys):
    folder = example_copy("360digitech-2021")
    edit(folder / "company.yaml", ("values: {2021: 1296.40}", "values: {2021: 1306.40}"))
    assert main([str(folder / "company.yaml")]) == 1
    assert "error I01" in capsys.readouterr().err
    assert multiprocessing.active_children() == []


def _collector_during_layout(html: str) -> list[int]:
    """Whether the cycle collector ran while WeasyPrint laid out and wrote the PDF (a layout worker's
    step, in its child process)."""
    import gc
    import importlib

    from builder import tagging
    from builder.layout import LAYOUT_MODULES, lay_out

    for module in LAYOUT_MODULES:  # imported as a layout worker imports them, before its work
        importlib.import_module(module)
    tagging.apply()

    seen: list[int] = []  # the generation of each collection
    gc.callbacks.append(lambda phase, info: phase == "start" and seen.append(info["generation"]))
    try:
        lay_out(html, ".")
    finally:
        gc.callbacks.pop()
    return seen


def test_the_cycle_collector_is_paused_for_a_step_and_as_it_was_after_it():
    import gc

    from builder.bounded import cycles_left_for_later

    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycles_left_for_later():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()  # restored when the step fails too
    gc.disable()
    try:
        with cycles_left_for_later():
            pass
        assert not gc.isenabled()  # a process that had it off keeps it off
    finally:
        gc.enable()


def test_a_layout_collects_cycles_after_the_parse_and_before_the_file_only():
    # thousands of elements: with the collector on, it would run hundreds of times
    rows = "".join(f"<tr><th>Site {n}</th><td>{n}.0</td></tr>" for n in range(3000))
    collections = start_bounded(_collector_during_layout, f"<table>{rows}</table>", seconds=120,
                                memory=2 * 1024**3).result()
    # with the collector on, hundreds; paused: two collections of the oldest generation (the
    # parser's tree, then the pages once drawn: builder.footprint), and the young generation's
    # once it is on again
    assert collections.count(2) == 2 and len(collections) <= 3


@pytest.mark.parametrize("editions", [1, 2])
def test_arelle_yields_the_cpu_to_the_layouts_and_to_the_templates(editions):
    """Arelle's worker runs at a lower priority: with a PDF its validation is off the critical
    path (the layout is it); without, its import runs beside the templates and charts, which are
    (it validates once they are done, alone on a core). Two editions' workers come from a
    Preloader of their kind (where this machine has pidfds)."""
    from builder.bounded import YIELDING, _Forked
    from builder.workers import Workers

    base = os.nice(0)
    with Workers(layout=True, validation=True) as workers:
        workers.prepare(editions, charts=True)
        preloaded = preloading_works()
        assert {isinstance(w.process, _Forked) for w in workers.layout + workers.validation} == {preloaded}
        # the charts are drawn by workers too, which import matplotlib ahead (a preloader once)
        assert len(workers.charts) == len(workers.layout) == len(workers.validation) == editions
        assert {isinstance(w.process, _Forked) for w in workers.charts} == {preloaded}
        for worker in workers.charts:
            assert worker.start(_whose, "matplotlib.figure", seconds=60, memory=512 * 1024**2).result()[2]
        for worker in workers.validation:
            assert worker.start(os.nice, 0, seconds=60, memory=256 * 1024**2).result() == base + YIELDING
        for worker in workers.layout:
            assert worker.start(os.nice, 0, seconds=60, memory=256 * 1024**2).result() == base
    with Workers(layout=False, validation=True) as workers:
        workers.prepare(editions, charts=False)
        assert workers.layout == workers.charts == []
        for worker in workers.validation:
            assert worker.start(os.nice, 0, seconds=60, memory=256 * 1024**2).result() == base + YIELDING
    assert multiprocessing.active_children() == []


def test_the_workers_import_nothing_of_what_loads_and_renders_a_report():
    """The command starts the workers first, so that they import WeasyPrint, matplotlib and Arelle
    while it imports its own modules and loads the report: they are forked from a process that has
    imported none of those, and import none themselves to do their work."""
    heavy = ("pydantic", "jinja2", "markdown_it", "yaml", "builder.load", "builder.schema", "builder.render",
             "builder.catalogue", "builder.taxonomy", "builder.charts", "builder.compute")
    script = ("import sys; import builder.cli, builder.workers, builder.layout, builder.drawing, builder.validate; "
              f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    assert in_a_fresh_python(script) == "[]"


# --- workers forked by a Preloader, which imports their modules once -------------------------

needs_pidfds = pytest.mark.skipif(not preloading_works(), reason="workers are preloaded only where there are pidfds")


def _whose(module: str) -> tuple[int, int, bool]:
    import sys

    return os.getpid(), os.getppid(), module in sys.modules


def _children_of(pid: int) -> set[int]:
    children = set()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(stat_of(int(entry))[1]) == pid:
                children.add(int(entry))
        except OSError:  # ended meanwhile
            pass
    return children


@needs_pidfds
def test_preloaded_workers_are_forked_from_the_one_process_that_imported_their_modules():
    assert not _imported("pickletools"), "a module the tests never import, so that only the preloader has it"
    preloader = Preloader(("pickletools",))
    workers = [Worker(("pickletools",), preloader=preloader) for _ in range(2)]
    try:
        (first, parent, imported), (second, other_parent, other_imported) = [
            worker.start(_whose, "pickletools", seconds=30, memory=256 * 1024**2).result() for worker in workers]
        assert imported and other_imported and first != second
        assert parent == other_parent == preloader.process.pid
    finally:
        for worker in workers:
            worker.stop()
        preloader.stop()
    assert not _imported("pickletools")


@needs_pidfds
def test_a_preloaded_workers_work_is_bounded_in_memory_and_time():
    preloader = Preloader(())
    try:
        with pytest.raises(Exceeded) as exceeded:
            Worker((), preloader=preloader).start(_allocate, 512, seconds=30, memory=64 * 1024**2).result()
        assert exceeded.value.what == "memory"
        began = time.monotonic()
        running = Worker((), preloader=preloader).start(_sleep, 60, seconds=1, memory=64 * 1024**2)
        with pytest.raises(Exceeded) as exceeded:
            running.result()
        assert exceeded.value.what == "time" and time.monotonic() - began < 30
        assert not running.process.is_alive()
    finally:
        preloader.stop()


@needs_pidfds
def test_a_preloader_stopped_leaves_none_of_its_workers_behind():
    preloader = Preloader(())
    busy, idle = Worker((), preloader=preloader), Worker((), preloader=preloader)
    running = busy.start(_sleep, 60, seconds=120, memory=64 * 1024**2)
    deadline = time.monotonic() + 30
    while not running.process.is_alive() and time.monotonic() < deadline:  # followed once it says which it is
        time.sleep(0.05)
    assert running.process.is_alive()
    while len(_children_of(preloader.process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    forked = _children_of(preloader.process.pid)
    assert len(forked) == 2  # the one at work and the one given none
    busy.stop()  # a build that failed meanwhile: its work is killed
    idle.stop()
    preloader.stop()
    assert not preloader.process.is_alive() and all(not os.path.exists(f"/proc/{pid}") for pid in forked)


@needs_pidfds
def test_a_worker_whose_preloader_died_is_replaced_by_a_new_child():
    preloader = Preloader(())
    worker = Worker((), preloader=preloader)  # asked for; the preloader dies with its workers
    os.kill(preloader.process.pid, signal.SIGKILL)
    preloader.process.join()
    try:
        assert worker.start(_sleep, 0, seconds=30, memory=64 * 1024**2).result() == 0
        later = Worker((), preloader=preloader)  # asked for after it died
        assert later.start(_sleep, 0, seconds=30, memory=64 * 1024**2).result() == 0
    finally:
        worker.stop()
        later.stop()
        preloader.stop()


@needs_pidfds
def test_a_preloader_imports_its_modules_as_it_starts_before_any_worker_is_asked_for(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "leaves_a_mark.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    preloader = Preloader(("leaves_a_mark",))
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists() and _children_of(preloader.process.pid) == set()
    finally:
        preloader.stop()
    assert not preloader.process.is_alive()


@needs_pidfds
def test_a_preloader_stopped_while_it_imports_is_not_waited_for(tmp_path, monkeypatch):
    """A build that stops early (bad input, a report its checks refuse) does not wait for the
    imports of the workers it started as the command started: it kills their preloaders, which
    have forked no worker yet."""
    (tmp_path / "slow_to_import.py").write_text("import time\ntime.sleep(2)\n", encoding="utf-8")
    marker = tmp_path / "imported"
    (tmp_path / "leaves_a_mark.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    preloader = Preloader(("slow_to_import", "leaves_a_mark"))
    worker = Worker(("slow_to_import", "leaves_a_mark"), preloader=preloader)
    worker.stop()
    preloader.stop()
    assert not preloader.process.is_alive()
    time.sleep(3)  # as long as the imports would have taken
    assert not marker.exists()


KILLED_BUILD = """
import sys, time
from builder.bounded import Preloader, Worker
preloader = Preloader(())
running = Worker((), preloader=preloader).start(time.sleep, 60, seconds=120, memory=64 * 1024**2)
deadline = time.monotonic() + 30
while not running.process.is_alive() and time.monotonic() < deadline:  # once it has said which it is
    time.sleep(0.05)
print(preloader.process.pid, running.process.pidfd is not None, flush=True)
time.sleep(60)
"""


@needs_pidfds
def test_a_killed_build_leaves_no_preloader_nor_worker_behind():
    import subprocess
    import sys

    build = subprocess.Popen([sys.executable, "-c", KILLED_BUILD], stdout=subprocess.PIPE, text=True)
    try:
        pid, attached = build.stdout.readline().split()
        assert attached == "True"
        forked = _children_of(int(pid))
        assert len(forked) == 1
    finally:
        build.kill()
        build.wait()
    deadline = time.monotonic() + 30
    while any(_running(p) for p in forked | {int(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(p) for p in forked | {int(pid)})


def _running(pid: int) -> bool:
    """Not ended (an ended process whose new parent, PID 1 here, has not reaped it yet is a zombie)."""
    try:
        return stat_of(pid)[0] not in (b"Z", b"X")
    except OSError:
        return False


def test_a_child_ends_on_a_hangup_at_once_whatever_the_build_does_with_its_own():
    """The CLI unwinds the build on SIGHUP (as on SIGTERM) to clean up behind it; a child, which
    inherits that handler, is to end at once instead of unwinding as if it were the build."""
    def unwind(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGHUP, unwind)
    try:
        running = start_bounded(_in_parts, "at work", 60, seconds=120, memory=64 * 1024**2, parts=True)
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert running.part() == "at work"  # its own handlers are set by then
    os.kill(running.process.pid, signal.SIGHUP)
    running.process.join(30)
    assert running.process.exitcode == -signal.SIGHUP
    running.stop()
