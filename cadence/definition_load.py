"""A definition as its author writes it: loaded and checked (`parse_playbook`), its problems
said as 'where: what' lines at the place the author wrote them (`DefinitionError`, with the
words of cadence/problems.py), and a stored definition written back with its defaults left
out (`as_written`, what `rollout playbook export` gives). The schema itself is
cadence/definition.py's."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from cadence.definition import CHANNEL_RE, SLUG_RE, SOURCE_NAME_RE, STEP_RE, USER_RE, PlaybookSpec
from cadence.definition_parts import (
    EVENT_RE,
    Placed,
    Unstorable,
    unstorable_message,
)
from cadence.definition_rubric import DIMENSION_RE
from cadence.definition_rules import RULE_FIELDS, SLOT_RE
from cadence.problems import described
from cadence.sources import ENV_RE
from cadence.text import unstorable


class DefinitionError(ValueError):
    """A playbook definition that cannot be loaded; `problems` are 'where: what' lines,
    and `paths` the keys and indexes of each in the document as written (empty where the
    problem is the whole document), for a file reader to find the line."""

    def __init__(self, problems: list[str], paths: list[tuple[str | int, ...]] | None = None):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.paths = paths if paths is not None else [() for _ in problems]


def parse_playbook(raw: Any, where: str = "") -> PlaybookSpec:
    """Validate one YAML document. Rule settings may sit at the top level
    or under `rules:`; both land in `rules`."""
    if not isinstance(raw, dict):
        raise DefinitionError(
            [f"{where or 'document'}: expected a mapping with 'playbook:', 'title:', ... got {type(raw).__name__}"]
        )
    data = dict(raw)
    top_level_rules = _rules_gathered(data, where)
    try:
        return PlaybookSpec.model_validate(data)
    except ValidationError as err:
        raise _refused(err, data, where, set(top_level_rules), raw) from None


def _rules_gathered(data: dict[str, Any], where: str) -> dict[str, Any]:
    """The rule settings given at the top level, moved under `rules:` in `data`; refused
    where `rules:` is no mapping or names one of them too."""
    top_level_rules = {key: data.pop(key) for key in list(data) if key in RULE_FIELDS}
    if not top_level_rules:
        return top_level_rules
    nested = data.get("rules") or {}
    if not isinstance(nested, dict):
        raise DefinitionError([f"{_join(where, 'rules')}: expected a mapping"])
    clash = sorted(set(nested) & set(top_level_rules))
    if clash:
        raise DefinitionError([f"{_join(where, clash[0])}: given both at the top level and under 'rules'"])
    data["rules"] = {**nested, **top_level_rules}
    return top_level_rules


def _refused(
    err: ValidationError, data: dict[str, Any], where: str, top_level_rules: set[str], raw: dict[str, Any]
) -> DefinitionError:
    """The schema's errors as 'where: what' lines at the places the author wrote them."""
    placed, others = _placed_apart([_at_item(e) for e in err.errors()])
    said = described(others, PlaybookSpec, data, _PATTERN_HINTS, {(): RULE_FIELDS})
    found = [_describe(where, path, what, top_level_rules, raw) for path, what in said]
    found += [found_at for e in placed for found_at in _placed(where, e, top_level_rules, raw)]
    return DefinitionError([text for text, _ in found], [path for _, path in found])


def _placed_apart(errors: list[Any]) -> tuple[list[Any], list[Any]]:
    """The errors that are a comparison's problems (Placed), and the others."""
    placed = [e for e in errors if isinstance((e.get("ctx") or {}).get("error"), Placed)]
    others = [e for e in errors if not any(e is p for p in placed)]
    return placed, others


def _join(where: str, field: str) -> str:
    return f"{where}.{field}" if where else field


def _at_item(error: Any) -> Any:  # pydantic ErrorDetails
    """An error of a list's item that holds a character never stored, at that item."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, Unstorable) and cause.index is not None:
        return {**error, "loc": (*error["loc"], cause.index)}  # the item of a list, as its author finds it
    return error


def _placed(
    where: str, error: Any, top_level_rules: set[str], raw: dict[str, Any]
) -> list[tuple[str, tuple[str | int, ...]]]:
    """A comparison's problems (Placed), each at the field it is about: below the error's
    own place, said as its words say it or as its place does."""
    found = []
    for place, text, located in error["ctx"]["error"].problems:
        path = (*error["loc"], *place)
        if not located:
            found.append(_describe(where, path, text, top_level_rules, raw))
            continue
        found.append((_join(where, text) if where else text, _as_written(path, top_level_rules)))
    return found


def _as_written(path: tuple[str | int, ...], top_level_rules: set[str]) -> tuple[str | int, ...]:
    """The path of a field where the author wrote it: a rule given at the top level, not under 'rules'."""
    if len(path) > 1 and path[0] == "rules" and path[1] in top_level_rules:
        return path[1:]
    return path


def _describe(
    where: str, path: tuple[str | int, ...], message: str, top_level_rules: set[str], raw: dict[str, Any]
) -> tuple[str, tuple[str | int, ...]]:
    """The problem as a 'where: what' line (cadence/problems.py's words), and its path in
    the document as written."""
    path = _as_written(path, top_level_rules)  # name the field where the author wrote it
    loc = ""
    hidden = None  # a field whose name holds a character never stored: named by where it is
    for index, part in enumerate(path):
        if isinstance(part, int):
            loc += f"[{_step_name(raw, path[:index], part) or part}]"
        elif (hidden := unstorable(part, line_breaks=False)) is not None:
            break
        else:
            loc += f".{part}" if loc else str(part)
    if hidden is not None:
        message = f"a field's name {unstorable_message(hidden)}"
    return f"{_join(where, loc) if loc else where or 'document'}: {message}", path


def _step_name(raw: dict[str, Any], parent: tuple[str | int, ...], index: int) -> str | None:
    """A step named by its name, as its author knows it ('steps[draft-reply].mode'), when
    the item at `index` of `steps` has one; else None (its index is shown)."""
    if parent != ("steps",) or not isinstance(raw.get("steps"), list) or index >= len(raw["steps"]):
        return None
    item = raw["steps"][index]
    name = item.get("name") if isinstance(item, dict) else None
    shown = isinstance(name, str) and name.strip() and len(name) <= 40
    return name if shown and unstorable(name, line_breaks=False) is None else None


_PATTERN_HINTS = {
    SLUG_RE: "must be a slug of lowercase letters, digits and dashes (e.g. support-replies)",
    STEP_RE: "must be one word of letters, digits, '-', '_' or '.' (at most 40 characters)",
    CHANNEL_RE: "must be a Slack channel id (e.g. C0123456789)",
    USER_RE: "must be a Slack user id (e.g. U0123456789)",
    SLOT_RE: "must be a weekday and a 24-hour time, e.g. 'Thu 15:00'",
    EVENT_RE: "must be one word of lowercase letters, digits and '_', from a letter (e.g. reply_accepted)",
    SOURCE_NAME_RE: "must be a name of lowercase letters, digits, '-' and '_' (at most 25 characters)",
    ENV_RE: "must be an environment variable's name: letters, digits and '_'",
    DIMENSION_RE: "must be one lowercase word of letters, digits, '-' or '_' (e.g. accuracy)",
}


def as_written(definition: dict[str, Any]) -> dict[str, Any]:
    """A stored definition as its author would write it: today's canonical form with every
    field that only repeats its default left out, so that parsing what is left gives the
    same canonical definition (`rollout playbook export`: load ∘ export changes nothing)."""
    full = parse_playbook(definition).canonical()
    written: dict[str, Any] = _copy(full)

    def prune(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                prune(child)
            return
        if not isinstance(node, dict):
            return
        order = list(node)
        for key in order:
            child = node.pop(key)
            try:
                if parse_playbook(written).canonical() == full:
                    continue
            except DefinitionError:
                pass
            node[key] = child
            prune(child)
        kept = [(key, node[key]) for key in order if key in node]  # the schema's order, as before
        node.clear()
        node.update(kept)

    prune(written)
    return written


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
