"""The cyclic garbage collector paused for the length of a large piece of work.

A document's boxes, styles and PDF objects (millions for a 130-page contract), or a table of a
thousand territories' rows, groups and figures, pile up thousands of small objects without
cycles; each full pass of the collector set off by their number walks every object of the
process: a quarter of the contract's render, a fifteenth of the table of all one's contracts
(two fifths of it sorted by a group column). Reference counting still frees what is dropped;
the few cycles left are collected once the collector resumes.

The collector is the process's: under gunicorn's threads, one request's pause may cover
another's work for a while, and the last to finish turns it on again (`gc.isenabled()` is
read first, so a pause inside a pause changes nothing).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    if not gc.isenabled():  # already paused by the caller
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
