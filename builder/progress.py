"""What a build tells as it goes: each stage when it starts and its time when it ends. Kept apart
from the pipeline so that the command line can show it without importing the pipeline first."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Progress:
    """Shows nothing; the command line's subclasses show the stages."""

    def started(self, stage: str) -> None:
        pass

    def finished(self, stage: str, seconds: float) -> None:
        pass

    def stopped(self, stage: str) -> None:
        """The stage failed or was interrupted: its error follows."""

    @contextmanager
    def stage(self, name: str, since: float | None = None) -> Iterator[None]:
        """Times the stage from now, or from `since` (a perf_counter() value) for a stage that
        ran in the background before it was waited for."""
        self.started(name)
        start = time.perf_counter() if since is None else since
        try:
            yield
        except BaseException:
            self.stopped(name)
            raise
        self.finished(name, time.perf_counter() - start)
