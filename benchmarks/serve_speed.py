"""How long `build-report serve` takes to rebuild the complete example after a save.

Measures what the preview does on each change: load and check company.yaml, then compute and
render each edition (English, then Chinese) in the build's bounded child process, in memory,
after a first warm-up rebuild (which pays for imports, the catalogue and compiling the
templates). "viewed" is the time until the edition being viewed is ready (its page reloads
then); "both" until the other edition is too. Run with:

    .venv/bin/python benchmarks/serve_speed.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from builder.check import run_checks
from builder.compute import compute
from builder.load import load
from builder.render import precompile_templates, render_documents, render_html
from builder.serve import Preview, rebuild

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "harbourline-2025" / "company.yaml"


def main() -> None:
    preview = Preview(EXAMPLE.resolve().parent)
    first = rebuild(preview, EXAMPLE)
    assert first.ok, preview.problems
    runs = [rebuild(preview, EXAMPLE) for _ in range(10)]
    viewed = [min(run.editions.values()) for run in runs]
    both = [run.seconds for run in runs]
    print(f"build-report serve, complete example ({', '.join(first.editions)}), {len(runs)} rebuilds: "
          f"edition viewed ready in median {statistics.median(viewed) * 1000:.0f} ms (max {max(viewed) * 1000:.0f}), "
          f"both editions in median {statistics.median(both) * 1000:.0f} ms (max {max(both) * 1000:.0f})")
    child_cost()


def child_cost() -> None:
    """What rendering in the bounded child process costs over rendering in this one (the
    preview keeps the child: a template that loops is stopped there, and the preview goes on)."""
    loaded = load(EXAMPLE)
    view = compute(loaded, run_checks(loaded), language=loaded.language)
    precompile_templates(loaded.folder)
    inside, child = [], []
    for _ in range(10):
        start = time.perf_counter()
        render_html(loaded, view)
        inside.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_documents(loaded, view, xbrl=False, pdf=False)
        child.append(time.perf_counter() - start)
    print(f"rendering the {loaded.language} edition: median {statistics.median(inside) * 1000:.0f} ms in-process, "
          f"{statistics.median(child) * 1000:.0f} ms in the bounded child process")


if __name__ == "__main__":
    main()
