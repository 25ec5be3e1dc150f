"""The cyclic garbage collector, paused around work that makes a great many short-lived
objects at once (a week close, the digest, the web view's overview)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one block. A tick or a digest of a thousand
    playbooks makes hundreds of thousands of objects, nearly all freed by reference
    counting; the collector's passes over them (and over everything else the process
    holds) cost the week close of 1,000 playbooks 0.8 s of 4.2 s and the digest 0.5 s of
    1.4 s (SQLite, measured when it was kept; docs/architecture.md, kept for speed): without it the digest misses its budget of 1 s.
    Nothing is lost: the collector resumes after the block, and cycles made in it are
    collected then."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
