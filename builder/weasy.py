"""WeasyPrint, imported with its shared libraries looked up in the dynamic linker's cache alone.

WeasyPrint opens GObject, Pango, HarfBuzz and fontconfig under each name they have on any
platform (libgobject-2.0-0.dll, libgobject-2.0.0.dylib, libgobject-2.0.so.0...). cffi hands a
name it cannot open to ctypes.util.find_library, which on Linux runs ldconfig, then gcc and ld
for a name ldconfig does not know: where a compiler is installed, some 80 processes at every
import, a quarter of a CPU-second of each build, for names that are other platforms'.

While WeasyPrint is imported through this module, a name the linker's cache (`ldconfig -p`, read
once) does not hold is not found, without asking gcc and ld; a name it holds is looked up as
before. WeasyPrint also names each library by its file name on Linux (libpango-1.0.so.0), which
the dynamic linker opens wherever a program can load it (its cache, LD_LIBRARY_PATH, the
interpreter's run path); only a library that no more than the compiler's LIBRARY_PATH leads to
would not be found this way.
"""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def _libraries_from_the_linker_cache() -> Iterator[None]:
    original = ctypes.util.find_library
    first = "weasyprint" not in sys.modules  # imported before (a test, a program): nothing to look up
    listing = _linker_cache() if first and sys.platform.startswith("linux") else None
    if listing is not None:
        ctypes.util.find_library = _looked_up_in(listing, original)
    try:
        yield
    finally:
        ctypes.util.find_library = original


def _linker_cache() -> bytes | None:
    """What `ldconfig -p` lists (as find_library runs it), or None where it cannot say (musl)."""
    try:
        listed = subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, capture_output=True,
                                env={"LC_ALL": "C", "LANG": "C"}, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return listed.stdout if listed.returncode == 0 and listed.stdout else None


def _looked_up_in(listing: bytes, find_library: Callable[[str], str | None]) -> Callable[[str], str | None]:
    def looked_up(name: str) -> str | None:
        # find_library's own first step finds lib<name>.<suffix> in this listing, or nothing
        if os.fsencode(f"lib{name}.") not in listing:
            return None
        return find_library(name)

    return looked_up


with _libraries_from_the_linker_cache():
    import weasyprint  # noqa: E402 - imported here, once, with the lookup above

HTML = weasyprint.HTML
