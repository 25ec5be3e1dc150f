"""The cyclic garbage collector, paused around work that makes a great many short-lived
objects at once (a week close, the digest)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one block. A close round or a digest of a
    thousand playbooks makes hundreds of thousands of objects, nearly all freed by
    reference counting; the collector's passes over them (and over everything else the
    process holds) were a sixth of the close and a third of the digest's reading of
    playbooks. Nothing is lost: the collector resumes after the block, and cycles made
    in it are collected then."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
