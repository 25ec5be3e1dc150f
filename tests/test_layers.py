"""The rooms and the direction of their imports (README, "How the code is laid out"):
cadence/ imports nothing of ours; storage/ and templates/ only what is further in; the
listeners (handlers/) and the clock both call the application layer (bot/rollout/), and
the clock imports nothing of the listeners."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("bot", "handlers", "cadence", "storage", "templates")

# module prefix -> the packages of ours it may import
ALLOWED = {
    "cadence": {"cadence"},
    "templates": {"templates", "cadence"},
    "storage": {"storage", "cadence"},
    "bot.rollout": {"bot.rollout", "cadence", "storage", "templates"},
    "bot.members": set(),
    "bot.collector": set(),
    "handlers": {"handlers", "bot.rollout", "bot.members", "cadence", "storage", "templates"},
    "bot.tick": {"bot.rollout", "bot.members", "bot.digest", "bot.collector", "cadence", "storage", "templates"},
    "bot.digest": {"bot.charts", "bot.collector", "cadence", "storage", "templates"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in OURS}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _room(module: str) -> str | None:
    matches = [prefix for prefix in ALLOWED if module == prefix or module.startswith(prefix + ".")]
    return max(matches, key=len) if matches else None


MODULES = sorted(p for package in OURS for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_inward(path):
    room = _room(_module(path))
    if room is None:
        return  # the wiring (bot.app, bot.cli, ...) may import anything
    allowed = ALLOWED[room] | {room}
    for name in _imports(path):
        assert any(name == a or name.startswith(a + ".") for a in allowed), f"{_module(path)} imports {name}"
