"""How `tests/run` spreads the tests over its xdist workers: each costly group (the tests
sharing the demo's run, the installed wheel, the backfilled Prometheus; `COSTLY_FIRST` in
tests/conftest.py) goes whole to a worker of its own, first in that worker's queue, and the
rest is shared out as xdist's `load` shares it (a first chunk to each, then more to whichever
runs low).

xdist's own `load` hands each worker a first run of consecutive tests, a quarter of its share:
on the whole suite every group fell into the first worker's run (the demo, then the wheel's
build, install and demo, one after the other), and with `-m slow` the demo's 42 readers fell
into all three runs, so every worker waited on the demo's lock at once. `loadgroup` would keep
a group together, but picks no worker for it (and on pytest 9.2 groups nothing: pytest-xdist
issue 1386).

The controller sees only the tests' ids, not their fixtures: each worker, having collected,
writes the groups' ids to the run's folder (the parent of its own temporary folder), and the
controller reads them there when it first schedules, which is after every worker has
collected. Without the file (a worker that failed to collect, `-p no:xdist`), it is xdist's
`load`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

GROUPS_FILE = "costly-groups.json"


def group_of(item: pytest.Item, costly: tuple[str, ...]) -> int:
    """The index in `costly` of the first costly fixture `item` uses, or len(costly)."""
    names = getattr(item, "fixturenames", ())
    return next((i for i, fixture in enumerate(costly) if fixture in names), len(costly))


def spread_slow(items: list[pytest.Item], costly: tuple[str, ...]) -> None:
    """After the costly groups, the tests marked `slow` (each starts processes or a browser:
    seconds to tens of seconds, much of it waiting on them) spread evenly over the first two
    thirds of the rest, in place. In collection order they sat together (tests/bot/), so one
    worker took them all in its first run and ran them alone for the last 4 minutes of the
    suite while the others had finished; spread, each chunk xdist hands out carries its
    share, their waits overlap the others' work, and the suite ends on quick tests that
    balance."""
    first = next((i for i, item in enumerate(items) if group_of(item, costly) == len(costly)), len(items))
    rest = items[first:]
    slow = [item for item in rest if item.get_closest_marker("slow") is not None]
    quick = [item for item in rest if item.get_closest_marker("slow") is None]
    if not slow or not quick:
        return
    step = len(quick) * 2 / 3 / len(slow)
    spread: list[pytest.Item] = []
    waiting = iter(slow)
    placed = 0
    for index, item in enumerate(quick):
        while placed < len(slow) and placed * step <= index:
            spread.append(next(waiting))
            placed += 1
        spread.append(item)
    spread.extend(waiting)
    items[first:] = spread


def write_groups(config: pytest.Config, items: list[pytest.Item], costly: tuple[str, ...]) -> None:
    """On an xdist worker: each costly group's test ids, for the controller (`CostlyApart`)."""
    if not hasattr(config, "workerinput") or not config.option.basetemp:
        return
    groups: list[list[str]] = [[] for _ in costly]
    for item in items:
        group = group_of(item, costly)
        if group < len(costly):
            groups[group].append(item.nodeid)
    run_folder = Path(config.option.basetemp).parent
    run_folder.mkdir(parents=True, exist_ok=True)
    written = run_folder / f"{GROUPS_FILE}.{os.getpid()}"
    written.write_text(json.dumps(groups))
    written.replace(run_folder / GROUPS_FILE)  # whole: every worker writes the same


def make_scheduler(config: pytest.Config, log):
    """xdist's `load`, with each costly group given whole to a worker of its own."""
    from xdist.scheduler import LoadScheduling

    class CostlyApart(LoadScheduling):
        def schedule(self) -> None:
            collections = {tuple(c) for c in self.node2collection.values()}
            if self.collection is None and self.collection_is_completed and len(collections) == 1:
                self._send_groups_apart()
            super().schedule()

        def _send_groups_apart(self) -> None:
            try:
                groups = json.loads((config._tmp_path_factory.getbasetemp() / GROUPS_FILE).read_text())
            except (OSError, ValueError, AttributeError):
                return  # xdist's load as it is
            collection = next(iter(self.node2collection.values()))
            index = {nodeid: i for i, nodeid in enumerate(collection)}
            nodes = self.nodes
            taken: set[int] = set()
            # the costliest first (COSTLY_FIRST's order), each to the next worker
            for number, ids in enumerate(g for g in groups if g):
                indices = [index[nodeid] for nodeid in ids if nodeid in index]
                node = nodes[number % len(nodes)]
                self.node2pending[node].extend(indices)
                node.send_runtest_some(indices)
                taken.update(indices)
            if taken:
                # LoadScheduling.schedule sees a collection already set and a pending list
                # without the groups: it then only tops each node up (check_schedule), so
                # the first chunks are sent here, as its own schedule() would.
                self.collection = collection
                if self.maxschedchunk is None:
                    self.maxschedchunk = len(collection)
                self.pending[:] = [i for i in range(len(collection)) if i not in taken]
                chunk = max(min(len(collection) // len(nodes) // 4, self.maxschedchunk), 2)
                for node in nodes:
                    self._send_tests(node, chunk)  # then schedule() shuts down the nodes if none is left

    return CostlyApart(config, log)
