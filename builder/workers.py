"""The build's workers: the processes that draw an edition's charts, lay out its PDF and validate
its inline XBRL report, each with its heavy library (matplotlib, WeasyPrint, Arelle: half a
second each to import) imported before its work comes.

The imports start as the command starts, before the build has imported its own modules and
loaded the report (a third of a second, on one core while the other is idle): a Preloader of
each kind the build may need imports its library and forks each edition's worker once the report
says how many editions there are and whether it has charts. This module and the ones it names
the workers' modules from (builder.layout, builder.drawing, builder.validate) import nothing
heavy, so that the command can start them first.
"""

from __future__ import annotations

from .bounded import Preloader, Worker, preloading_works
from .drawing import CHART_MODULES
from .layout import LAYOUT_MODULES
from .validate import ARELLE_MODULES


# kind: (the modules its workers import ahead, whether they yield the CPU)
KINDS = {"charts": (CHART_MODULES, False), "layout": (LAYOUT_MODULES, False), "validation": (ARELLE_MODULES, True)}


def kinds_wanted(*, layout: bool, validation: bool) -> dict[str, tuple[tuple[str, ...], bool]]:
    """The kinds of worker a build may need (charts: any report may have them), from KINDS."""
    wanted = {"charts": True, "layout": layout, "validation": validation}
    return {kind: spec for kind, spec in KINDS.items() if wanted[kind]}


class Workers:
    """The workers of one build: started with what the command asked for (a PDF, the inline XBRL
    report), given their number once the report is loaded (prepare), stopped with the build
    (whatever they still run is killed: a build that failed stops its layouts and validations;
    one that the checks refused never used them). Where there are no pidfds (Linux before 5.3),
    prepare() starts each worker as a child of its own, importing its modules then."""

    def __init__(self, *, layout: bool, validation: bool):
        self.outputs = (layout, validation)  # what the build makes: its PDFs, its validated reports
        self.kinds = kinds_wanted(layout=layout, validation=validation)
        self.charts: list[Worker] = []
        self.layout: list[Worker] = []
        self.validation: list[Worker] = []
        self.preloaders: dict[str, Preloader] = {}
        try:
            if preloading_works():
                # yielding, Arelle's: it imports beside the render and validates beside the layouts,
                # each the critical path; once they are done it runs alone, as fast as unniced
                for kind, (modules, yielding) in self.kinds.items():
                    self.preloaders[kind] = Preloader(modules, yielding=yielding)
        except BaseException:
            self.stop()
            raise

    def prepare(self, editions: int, *, charts: bool) -> None:
        """A worker of each kind per edition; none to draw charts where the report has none."""
        if not charts:
            self.kinds.pop("charts")
            if "charts" in self.preloaders:
                self.preloaders.pop("charts").stop()
        for kind, (modules, yielding) in self.kinds.items():
            for _ in range(editions):
                getattr(self, kind).append(Worker(modules, yielding=yielding, preloader=self.preloaders.get(kind)))

    def stop(self) -> None:
        for worker in self.layout + self.validation + self.charts:
            worker.stop()
        for preloader in self.preloaders.values():
            preloader.stop()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
