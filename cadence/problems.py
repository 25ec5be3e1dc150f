"""pydantic's validation errors in plain words: what is wrong with one value, as a person
who wrote it can act on it ("must be a number, got 'abc'"), rather than the library's
("Input should be a valid number, unable to parse string as a number"). A misspelt key is
said once, with the nearest key the schema knows, and not also as the key it meant being
missing. Used for playbooks (cadence/definition.py) and the settings (bot/startup.py)."""

from __future__ import annotations

import difflib
import types
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Tag

Path = tuple[str | int, ...]
SHOWN = 40  # characters of a value repeated in a message


def shown(value: Any) -> str:
    """A value as a message repeats it: a text quoted, cut to SHOWN characters; nothing
    for a mapping or a list (the line says where it is)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return repr(value if len(value) <= SHOWN else value[: SHOWN - 1] + "…")
    return ""


def _got(error: Mapping[str, Any]) -> str:
    value = shown(error.get("input"))
    return f", got {value}" if value else ""


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


_SAID: dict[str, str] = {"missing": "required, and not given", "extra_forbidden": "not a key here"}
_WHAT_IT_MUST_BE: dict[str, str] = {  # kind -> what the value must be, followed by what was given
    **dict.fromkeys(("float_parsing", "float_type", "decimal_parsing", "decimal_type"), "must be a number"),
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float", "int_parsing_size"), "must be a whole number"),
    **dict.fromkeys(("bool_parsing", "bool_type"), "must be true or false"),
    "finite_number": "must be a finite number",
    **dict.fromkeys(("string_type", "string_sub_type"), "must be a text"),
    **dict.fromkeys(("list_type", "tuple_type", "set_type"), "must be a list (one '- item' a line, or [a, b])"),
    **dict.fromkeys(
        ("dict_type", "model_type", "model_attributes_type", "mapping_type"),
        "must be keys with values (key: value, one a line, or {key: value})",
    ),
}
_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}


def _too_short(ctx: Mapping[str, Any]) -> str:
    least = int(ctx.get("min_length", 1))
    return "must not be empty" if least == 1 else f"must be at least {least} characters"


_SIZES: dict[str, Callable[[Mapping[str, Any]], str]] = {  # kind -> its words, from the error's context
    "string_too_short": _too_short,
    "string_too_long": lambda ctx: f"must be at most {ctx.get('max_length')} characters",
    "too_short": lambda ctx: f"must have at least {_items(int(ctx.get('min_length', 1)))}",
    "too_long": lambda ctx: f"must have at most {_items(int(ctx.get('max_length', 0)))}",
}


def plain(error: Mapping[str, Any], patterns: Mapping[str, str] | None = None) -> str:
    """What is wrong with the value of one pydantic error, in words. `patterns`: what a
    pattern's text must look like, by the pattern."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:  # our own validators' words
        return str(ctx["error"])
    if kind in _SAID:
        return _SAID[kind]
    if kind in _SIZES:
        return _SIZES[kind](ctx)
    if kind in _WHAT_IT_MUST_BE:
        return _WHAT_IT_MUST_BE[kind] + _got(error)
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        return f"must be {words} {shown(ctx.get(key))}" + _got(error)
    return _untabled(error, kind, ctx, patterns)


def _untabled(error: Mapping[str, Any], kind: str, ctx: Mapping[str, Any], patterns: Mapping[str, str] | None) -> str:
    """`plain` for an error of a kind none of the tables words: a literal's values, a
    pattern's form, else pydantic's own message."""
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the values the reference lists')}" + _got(error)
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return (patterns or {}).get(pattern, "is not in the form expected") + _got(error)
    message = str(error.get("msg", "is not valid"))
    return message[:1].lower() + message[1:]


def _members(annotation: Any) -> list[Any]:
    """The types an annotation may hold, through Optional, unions and Annotated."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _members(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [member for arg in get_args(annotation) for member in _members(arg)]
    return [annotation]


def _inside(annotation: Any, part: str | int) -> list[Any]:
    """The annotations of what `part` names inside a value of `annotation`."""
    found: list[Any] = []
    for member in _members(annotation):
        origin = get_origin(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            found += [f.annotation for name, f in member.model_fields.items() if part in (name, f.alias)]
        elif origin is list and isinstance(part, int):
            found.append(get_args(member)[0])
        elif origin is dict and isinstance(part, str):
            found.append(get_args(member)[1])
    return found


def keys_at(model: type[BaseModel], path: Path) -> list[str]:
    """The keys the schema knows at `path` of a document of `model` (as written: aliases)."""
    annotations: list[Any] = [model]
    for part in path:
        annotations = [inner for annotation in annotations for inner in _inside(annotation, part)]
    return [
        f.alias or name
        for annotation in annotations
        for member in _members(annotation)
        if isinstance(member, type) and issubclass(member, BaseModel)
        for name, f in member.model_fields.items()
    ]


def _models(annotation: Any, seen: set[type[BaseModel]]) -> None:
    for member in _members(annotation):
        inner = get_args(member) if get_origin(member) in (list, dict) else ()
        for arg in inner:
            _models(arg, seen)
        if isinstance(member, type) and issubclass(member, BaseModel) and member not in seen:
            seen.add(member)
            for field in member.model_fields.values():
                _models(field.annotation, seen)


def _tags(annotation: Any, seen: set[Any], found: set[str]) -> None:
    """The tags of the discriminated unions inside `annotation` (`Tag("contract")`)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        found.update(m.tag for m in metadata if isinstance(m, Tag))
        _tags(inner, seen, found)
    elif origin is not None:
        for arg in get_args(annotation):
            _tags(arg, seen, found)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _tags(field.annotation, seen, found)


def _member(part: str | int, member_names: set[str], tags: set[str], written: Any) -> bool:
    """Whether a part of pydantic's place names a member of a union, not a key written: a
    model's name, a literal's (`literal['none']`), or a discriminated union's tag where the
    document (`written`, the value at the place so far) has no key of that name."""
    if not isinstance(part, str):
        return False
    if part in tags and not (isinstance(written, dict) and part in written):
        return True
    return part in member_names or part.startswith("literal[")


def as_written(
    error: Mapping[str, Any], model: type[BaseModel], raw: Any = None
) -> tuple[Path, tuple[Path, str] | None]:
    """An error's place as its author wrote it (in `raw`), without the name pydantic gives a
    member of a union (`FromSpec`, `literal['none']`, a tag); and that member, with the
    place of the union, if any."""
    names: set[type[BaseModel]] = set()
    _models(model, names)
    member_names = {m.__name__ for m in names}
    tags: set[str] = set()
    _tags(model, set(), tags)
    path: list[str | int] = []
    member = None
    for part in error["loc"]:
        if _member(part, member_names, tags, _given(raw, tuple(path))):
            member = (tuple(path), str(part))
        else:
            path.append(part)
    return tuple(path), member


def _given(raw: Any, path: Path) -> Any:
    """What the document holds at `path`, or None."""
    for part in path:
        inside = isinstance(raw, dict) and part in raw
        if not inside and not (isinstance(raw, list) and isinstance(part, int) and 0 <= part < len(raw)):
            return None
        raw = raw[part]
    return raw


def _unlike(member: tuple[Path, str], raw: Any) -> bool:
    """Whether a union's member is not the kind of value written at its place: a literal
    for a mapping (`calibration: {cases: …}` is no misspelt `none`), or a mapping for a text."""
    place, name = member
    return name.startswith("literal[") == isinstance(_given(raw, place), dict)


def described(
    errors: Iterable[Mapping[str, Any]],
    model: type[BaseModel],
    raw: Any,
    patterns: Mapping[str, str] | None = None,
    also_known: Mapping[Path, Iterable[str]] | None = None,
) -> list[tuple[Path, str]]:
    """Each error's place as written and what is wrong, in words, once each, in pydantic's
    order. A key not in the schema names the nearest one it knows (difflib), and that key
    is then not also said to be missing. Of a union's members, only the errors of the one
    that came closest (fewest errors) are said. `also_known`: more keys a place takes
    (rule settings at a playbook's top level)."""
    kept = _of_the_closest_members([(*as_written(error, model, raw), error) for error in errors], raw)
    suggested = _suggested(kept, model, raw, also_known or {})
    found: list[tuple[Path, str]] = []
    for path, error in kept:
        if error["type"] == "missing" and suggested.get(path) == "":
            continue  # said with its misspelling
        text = suggested.get(path) or plain(error, patterns)
        if (path, text) not in found:
            found.append((path, text))
    return found


def _suggested(
    kept: list[tuple[Path, Mapping[str, Any]]],
    model: type[BaseModel],
    raw: Any,
    also_known: Mapping[Path, Iterable[str]],
) -> dict[Path, str]:
    """For each key not in the schema, the nearest one it knows, by place (a key then not
    also said to be missing: "")."""
    suggested: dict[Path, str] = {}
    for path, error in kept:
        if error["type"] == "extra_forbidden" and path and isinstance(path[-1], str):
            suggested |= _misspelt(path, model, raw, also_known)
    return suggested


def _of_the_closest_members(
    placed: list[tuple[Path, tuple[Path, str] | None, Mapping[str, Any]]], raw: Any
) -> list[tuple[Path, Mapping[str, Any]]]:
    """The errors placed, of a union's members only the closest's (fewest errors; of as
    few, the kind of value written)."""
    counts = Counter(member for _, member, _ in placed if member is not None)
    closest: dict[Path, str] = {}
    for union, name in sorted(counts, key=lambda m: (counts[m], _unlike(m, raw)), reverse=True):
        closest[union] = name  # the fewest last; of as few, the kind of value written
    return [(path, error) for path, member, error in placed if member is None or closest[member[0]] == member[1]]


def _misspelt(
    path: Path, model: type[BaseModel], raw: Any, also_known: Mapping[Path, Iterable[str]]
) -> dict[Path, str]:
    """What is said of a key not in the schema at `path`: the nearest key not given (which
    is then said with it, "" at its place), else its twin given too, else the keys of a
    place of twelve or fewer; {} for nothing more than plain's words."""
    parent, key = path[:-1], str(path[-1])
    known = [*keys_at(model, parent), *also_known.get(parent, ())]
    given = _given(raw, parent)
    free = [k for k in known if not (isinstance(given, dict) and k in given)]
    nearest = difflib.get_close_matches(key, free, n=1, cutoff=0.6)
    if nearest:
        return {path: f"not a key here; did you mean {nearest[0]}?", (*parent, nearest[0]): ""}
    twin = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if twin:
        return {path: f"not a key here, and {twin[0]}, which it resembles, is given too: keep one"}
    if known and len(known) <= 12:
        return {path: f"not a key here; the keys here are {', '.join(known)}"}
    return {}
