"""How far the fakes reach (issue 79, item 4): the repository methods the use cases call,
found as `<store>.<area>.<method>(` in usecases/ where `area` is an attribute of
storage/store.py's Store and `<store>` a store (`store`, `caller.store`, or a name a
`with ....unit_of_work() as uow` / `.reading() as r` binds), and which of them FakeStore's
repository for that area has. Every write is (storage/ports.py, proven by
tests/storage/contract/); a read no use-case test needs is not faked (issue 94, item 6):
it is read on the database only, as the CSV export is (tests/bot/test_export.py).

    .venv/bin/python -m tests.fakes.reach [--missing]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def areas() -> set[str]:
    """The Store's areas: its attributes that are a repository (`_Area`)."""
    text = (ROOT / "storage" / "store.py").read_text()
    return set(re.findall(r"^    (\w+) = _Area\(", text, re.MULTILINE))


def called() -> dict[tuple[str, str], list[str]]:
    """(area, method): the use-case modules calling it."""
    names = areas()
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted((ROOT / "usecases").rglob("*.py")):
        text = path.read_text()
        stores = {"store", *re.findall(r"\.(?:unit_of_work|reading)\(\) as (\w+)", text)}
        for receiver, area, method in re.findall(r"(\w+)\s*\.(\w+)\s*\.\s*(\w+)\s*\(", text):
            if receiver in stores and area in names:
                found.setdefault((area, method), []).append(str(path.relative_to(ROOT)))
    return found


def faked() -> set[tuple[str, str]]:
    """(area, method) that the fake store's repositories implement."""
    from tests.fakes.store import FakeStore

    store = FakeStore()
    return {
        (area, method)
        for area in areas()
        if hasattr(store, area)
        for method in dir(getattr(store, area))
        if not method.startswith("_") and callable(getattr(getattr(store, area), method))
    }


def main(argv: list[str]) -> None:
    calls, fakes = called(), faked()
    done = sorted(c for c in calls if c in fakes)
    missing = sorted(c for c in calls if c not in fakes)
    print(f"{len(done)} of {len(calls)} repository methods called from usecases/ are faked")
    if "--missing" in argv:
        for area, method in missing:
            print(f"  not faked {area}.{method}  ({', '.join(sorted(set(calls[(area, method)])))})")


if __name__ == "__main__":
    main(sys.argv[1:])
