"""Python's cyclic garbage collector, held back while a page works on everyone in a cycle.

A page about a whole review cycle reads tens of thousands of rows into plain tuples and keeps
them until it is made, in a process that also keeps what it read before (the ladders, the shared
assessments, the rows of earlier readings: hundreds of thousands of objects). Every 700 new
objects the collector looks for reference cycles among the young ones, and every so often among
all of them, and finds next to nothing: on a cycle of 10,000 people that search took a fifth to
a third of the page's time. Reference counting still frees what the page drops at once; the
few cycles it makes (a template's context) wait until the block ends and are collected as
usual after it. So it suits a block that ends soon, such as one request.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Hold back the cyclic collector for the block (or the function, as a decorator). Nested,
    or in one thread while another holds it back, the collector runs again when the block that
    stopped it ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
