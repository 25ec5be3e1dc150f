"""`/rollout kit <playbook>` (owner or curator), and the week-3 nudge's *Package it*: the
form for what the playbook form does not hold (the inputs, the outputs, the exception
owner and the replication kit), filled in with the playbook now. Its submission is a
revision like an edit's (usecases/playbook_form.py `apply_revision`): every check of
`rollout playbook load`, each problem on its field (a line's by its number), a bar
change waiting for a curator. An input's `check` (a query) stays YAML-only and is kept.

Each field is one `Row`: where it sits in the definition and what kind of value it is."""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cadence import kit_lines, self_check
from cadence.definition import read_spec
from cadence.definition_handoff import FALLBACK
from cadence.definition_intake import IntakeSpec
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.state import PlaybookState
from slack_api.members import DirectoryUnavailable
from storage.made import fingerprint
from templates.refusals import Refusal
from usecases import intake_form as pilot
from usecases import kit_texts, playbook_revision
from usecases import playbook_form as forms
from usecases.shared import life
from usecases.shared.caller import Caller

MAX_INPUT = forms.MAX_INPUT  # Slack's plain_text_input holds at most 3,000 characters


@dataclass(frozen=True)
class Row:
    """One field: its block id, its kind (`inputs`: `name | owner | refresh | when
    missing` lines; `lines`: one entry a line; `text`; `number`; `user`: a user picker;
    `words`: a list, comma-separated; `channel`: a channel picker; `choices`: checkboxes; `flag`: one checkbox;
    `choice`: one of a few, its default shown when none is written) and its place
    in the definition. A new
    section of the playbook is a row here and its label (and choices) in templates/kit_form.py."""

    block_id: str
    kind: str
    path: tuple[str, ...]


ROWS = (
    Row("inputs", "inputs", ("inputs",)),
    Row("outputs", "lines", ("outputs",)),
    Row("exception_owner", "user", ("exception_owner",)),
    Row("runbook", "text", ("replication", "runbook")),
    Row("training", "lines", ("replication", "training")),
    Row("checks", "lines", ("replication", "checks")),
    Row("requires", "lines", ("replication", "requires")),
    Row("may_change", "choices", ("replication", "may_change")),
    Row("requires_champion", "flag", ("replication", "requires_champion")),
    Row("business_rules", "user", ("owners", "business_rules")),
    Row("model_updates", "user", ("owners", "model_updates")),
    Row("sla_hours", "number", ("handoff", "sla_hours")),
    Row("resolve_hours", "number", ("handoff", "resolve_hours")),
    Row("fallback", "choice", ("handoff", "fallback")),  # human-led or collaborative (the default)
    # escalate_to is a person or a channel: two pickers, one place (at most one given)
    Row("escalate_person", "user", ("handoff", "escalate_to")),
    Row("escalate_channel", "channel", ("handoff", "escalate_to")),
    Row("dimensions", "words", ("rubric", "dimensions")),
    Row("calibration_cases", "number", ("calibration", "cases")),
    Row("step_models", "models", ("steps",)),  # each step's model and prompt: `step | model | prompt` lines
)
# Optional sections the form may empty: one left with nothing given is removed.
_SECTIONS = ("owners", "handoff", "rubric", "calibration")
FIELDS = tuple(row.block_id for row in ROWS)
# What a `choice` shows when the definition writes none: the handoff's fallback mode's default.
_DEFAULTS = {"fallback": FALLBACK}
TEXT_KINDS = ("inputs", "lines", "text", "number", "words", "models")


@dataclass(frozen=True)
class KitForm:
    slug: str
    values: dict[str, Any]  # by block id: text, a user id, a list of choices, a flag
    metadata: dict[str, Any]
    adopted_from: str | None = None  # an adopted playbook's origin: the override field shows
    missing: list[str] = field(default_factory=list)  # readiness criteria the form answers, still lacking
    # the fields that start from the self-check's answers (block ids), until the owner saves
    started: list[str] = field(default_factory=list)
    replicates: str | None = None  # the published version it replicates, some of them from it
    texts: list[kit_texts.TextField] = field(default_factory=list)  # each step's prompt and rubric texts


@dataclass(frozen=True)
class KitAnswers:
    """What the form's fields said, by block id: text for the text kinds, the picked user
    (or ""), the checked choices, a flag's bool."""

    values: dict[str, Any]
    why: str | None = None
    override: str | None = None


def _at(definition: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = definition
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _put(raw: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """`value` at `path`; nothing given for a section the playbook does not have adds none."""
    node = raw
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            if value in (None, "", [], False):
                return
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


# How a row's value is shown in its element, by the row's kind; a flag's is bool(value)
_SHOWN: dict[str, Callable[[Row, Any], Any]] = {
    "inputs": lambda _row, value: "\n".join(kit_lines.input_line(e) for e in value or []),
    "lines": lambda _row, value: "\n".join(value or []),
    "models": lambda _row, value: _models_shown(value or []),
    "words": lambda _row, value: ", ".join(value or []),
    "text": lambda _row, value: value or "",
    "user": lambda _row, value: value or "",
    "channel": lambda _row, value: value or "",
    "number": lambda _row, value: forms._written(value),
    "choices": lambda _row, value: list(value or []),
    "choice": lambda row, value: value or _DEFAULTS[row.block_id],
}


def _shown(row: Row, value: Any) -> Any:
    if row.block_id in ("escalate_person", "escalate_channel"):  # the picker of the kind it is
        person = isinstance(value, str) and value[:1] in ("U", "W")
        return value if value and person == (row.kind == "user") else ""
    if row.block_id == "requires_champion":  # unset: required (cadence/definition_parts.py)
        return value is not False
    shown = _SHOWN.get(row.kind)
    return bool(value) if shown is None else shown(row, value)


def _models_shown(steps: list[dict[str, Any]]) -> str:
    """`step | model | prompt`, a line for each step that names either."""
    return "\n".join(
        f"{s['name']} | {s.get('model') or ''} | {s.get('prompt') or ''}".rstrip(" |")
        for s in steps
        if s.get("model") or s.get("prompt")
    )


# ---- opening ----


def open_kit(caller: Caller, slug: str) -> KitForm:
    """`/rollout kit <playbook>`: the form filled in with the playbook as it is now."""
    return _kit_form(caller, caller.playbook(slug, "kit"))


def open_by_id(caller: Caller, playbook_id: int) -> KitForm | None:
    """The week-3 nudge's *Package it*; None: the playbook was removed since."""
    state = caller.store.playbooks.state_by_id(playbook_id)
    return None if state is None else _kit_form(caller, state)


def _kit_form(caller: Caller, state: PlaybookState) -> KitForm:
    caller.require_owner_or_curator(state, "kit")
    life.refuse_unless_running(state, "kit")
    definition = parse_playbook(state.playbook.definition).canonical()
    values = {row.block_id: _shown(row, _at(definition, row.path)) for row in ROWS}
    own = state.playbook.adopted_from_id is None  # an adopter's intake is its origin's answers, not its own
    started, replicates = _started(caller, state.spec.intake if own else None, values)
    for row in ROWS:  # a kit too large for Slack's form is changed as YAML
        if row.kind in TEXT_KINDS and len(values[row.block_id]) > MAX_INPUT:
            what = f"its {row.block_id.replace('_', ' ')} take {len(values[row.block_id]):,} characters; 3,000 fit"
            raise Refusal.of("made_too_long", usage="kit", slug=state.playbook.slug, what=what)
    metadata = {"playbook": state.playbook.id, "opened": fingerprint(state.playbook.definition)}
    origin = forms.origin_of(caller, state)
    missing = kit_lines.missing(definition)
    texts = kit_texts.fields(definition)
    return KitForm(state.playbook.slug, values, metadata, origin, missing, started, replicates, texts)


# What a version it replicates lends the kit: what the work is and how it is judged; not its
# people, its handoff terms or what its own adopters may change.
FROM_VERSION = ("outputs", "runbook", "training", "checks", "requires", "dimensions", "calibration_cases")


def _started(caller: Caller, intake: IntakeSpec | None, values: dict[str, Any]) -> tuple[list[str], str | None]:
    """The self-check's answers (docs/programme.md) in the kit form's empty fields, as
    starting values its owner confirms by saving (nothing counts, nor gates, until then):
    the input contract as its inputs; the rubric's dimensions and the calibration set's size
    that how its outputs become trustworthy names; and the version it replicates: that
    version's outputs, runbook, training, checks, requirements, dimensions and calibration
    set where its own answers said none. The fields started, and the version's name."""
    if intake is None:
        return [], None
    trust = intake.trust or ""
    cases = self_check.calibration_named(trust)
    starts = {
        "inputs": intake.contract or "",
        "dimensions": ", ".join(self_check.dimensions_named(trust)),
        "calibration_cases": str(cases) if cases else "",
    }
    version = pilot.version_of(caller.store, intake.template)
    if version is not None:
        origin = read_spec(version.definition).canonical()
        for row in ROWS:
            if row.block_id in FROM_VERSION and not starts.get(row.block_id):
                starts[row.block_id] = _shown(row, _at(origin, row.path))
    started = [b for b in FIELDS if starts.get(b) and not values.get(b)]
    values.update({b: starts[b] for b in started})
    return started, pilot.version_name(version) if version is not None else None


# ---- submitting ----


def save(caller: Caller, playbook_id: int, opened_on: str, answers: KitAnswers) -> forms.Revised:
    """The form's submission: a revision of what it holds, the rest of the playbook kept."""
    state = forms.by_id(caller, playbook_id)
    caller.require_owner_or_curator(state, "kit")
    life.refuse_unless_running(state, "kit")
    playbook_revision.refuse_if_changed(caller, state, opened_on)
    before = parse_playbook(state.playbook.definition).canonical()
    raw = copy.deepcopy(before)
    numbers: dict[str, list[int]] = {}  # a list field's entries' line numbers, as typed
    problems: dict[str, Refusal | str] = {}
    written: dict[str, Any] = {}
    for row in ROWS:
        try:
            written[row.block_id] = _written(caller, state, row, answers, _at(before, row.path), numbers)
        except kit_lines.LineProblem as problem:
            problems[row.block_id] = str(problem)
        except forms.FormProblems as err:
            problems.update(err.problems)
    person, channel = written.get("escalate_person"), written.get("escalate_channel")
    if person and channel:
        problems["escalate_channel"] = Refusal.of("kit_escalate_both")
    written["escalate_person"] = written["escalate_channel"] = person or channel
    texts, changed = kit_texts.written(written.get("step_models") or before["steps"], answers.values)
    problems.update(kit_texts.require_why(changed, answers.why))
    if problems:
        raise forms.FormProblems(problems)
    written["step_models"] = texts  # the steps: their model and prompt, then their texts
    for row in ROWS:
        _put(raw, row.path, written[row.block_id])
    for section in _SECTIONS:
        if isinstance(raw.get(section), dict) and not any(v not in (None, "", []) for v in raw[section].values()):
            del raw[section]
    field_of = kit_texts.field_of(texts, _field_of_path)
    _check(raw, numbers, field_of)
    return playbook_revision.apply_revision(
        caller, state, opened_on, raw, answers.why, answers.override, field_of=field_of
    )


def _written(
    caller: Caller, state: PlaybookState, row: Row, answers: KitAnswers, before: Any, numbers: dict[str, list[int]]
) -> Any:
    """A row's value as the definition takes it, from the form's answer."""
    given = answers.values.get(row.block_id)
    if row.kind in ("inputs", "lines"):
        text = str(given or "")
        numbers[row.block_id] = [n for n, _ in kit_lines.numbered(text)]
        if row.kind == "lines":
            return kit_lines.plain_lines(text)
        people = _team_names(caller, state) if kit_lines.mentioned(text) else {}
        return kit_lines.inputs(text, list(before or []), people)
    if row.kind == "user":
        picked = str(given or "") or None
        if picked is not None and picked != before:
            _require_person(caller, picked, row.block_id)
        return picked
    return _plain(row, given, before)


def _plain(row: Row, given: Any, before: Any) -> Any:
    """A row's value, of a kind read from the answer alone."""
    read = _READS.get(row.kind)
    if read is not None:
        return read(row, given, before)
    if given is None and row.block_id == "requires_champion":  # not sent: as it was (left out: required)
        return before is not False
    return bool(given)


def _choice(row: Row, given: Any, before: Any) -> Any:
    """The default left as it was written (not at all) stays unwritten: a playbook without
    a handoff gets none from the form's default."""
    picked = str(given or "") or _DEFAULTS[row.block_id]
    return None if before is None and picked == _DEFAULTS[row.block_id] else picked


def _text(_row: Row, given: Any, _before: Any) -> str | None:
    return str(given or "").strip() or None


# How each kind of row is read from the answer alone (a checkbox: `_plain`'s last lines).
_READS: dict[str, Callable[[Row, Any, Any], Any]] = {
    "models": lambda _row, given, before: _models(str(given or ""), list(before or [])),
    "text": _text,
    "channel": _text,
    "words": lambda _row, given, _before: [w.strip() for w in str(given or "").split(",") if w.strip()],
    "number": lambda row, given, _before: _number(str(given or "").strip(), row.block_id),
    "choices": lambda _row, given, _before: list(given or []),
    "choice": _choice,
}


def _models(text: str, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps with each line's model and prompt (`step | model | prompt`, either empty);
    a step not listed has neither. A change of either makes its calibration stale."""
    given: dict[str, tuple[str | None, str | None]] = {}
    names = {str(s["name"]).lower() for s in steps}
    for number, line in kit_lines.numbered(text):
        parts = [p.strip() for p in line.split("|")]
        if parts[0].lower() not in names or len(parts) > 3:
            refusal = Refusal.of("kit_step_model", line=number, step=parts[0][:40])
            raise forms.FormProblems({"step_models": refusal})
        parts += ["", ""]
        given[parts[0].lower()] = (parts[1] or None, parts[2] or None)
    written = []
    for step in steps:
        model, prompt = given.get(str(step["name"]).lower(), (None, None))
        kept = {k: v for k, v in step.items() if k not in ("model", "prompt")}
        written.append({**kept, **({"model": model} if model else {}), **({"prompt": prompt} if prompt else {})})
    return written


def _number(text: str, block_id: str) -> float | int | None:
    """A number field: empty for none; a whole number stays whole (24, not 24.0)."""
    if not text:
        return None
    try:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(text)
    except ValueError:
        raise forms.FormProblems({block_id: Refusal.of("kit_not_a_number", text=text[:40])}) from None
    return int(value) if value.is_integer() else value


def _team_names(caller: Caller, state: PlaybookState) -> dict[str, tuple[str, ...]]:
    """The team channel's people by their display and real names, lowercased, for `@name`."""
    try:
        team = caller.services.directory.teams(caller.client, [state.playbook.channel_id])
    except DirectoryUnavailable:
        raise forms.FormProblems({"inputs": Refusal.of("slack_busy_channel")}) from None
    named: dict[str, set[str]] = {}
    for person in team.get(state.playbook.channel_id) or []:
        for name in {person.display_name, person.real_name}:
            if name:
                named.setdefault(name.strip().lower(), set()).add(person.user_id)
    return {name: tuple(sorted(ids)) for name, ids in named.items()}


def _require_person(caller: Caller, user_id: str, block_id: str) -> None:
    person = None
    with contextlib.suppress(DirectoryUnavailable):  # Slack silent: the id is a picked user's
        person = caller.services.directory.person(caller.client, user_id)
    if person is not None and not person.is_human:
        raise forms.FormProblems({block_id: Refusal.of("kit_not_a_person")})


def _field_of_path(path: tuple[str | int, ...]) -> str:
    """The field a problem of the definition belongs on: the row whose place holds it
    (the longest), else the first field."""
    held = [row for row in ROWS if tuple(path[: len(row.path)]) == row.path]
    return max(held, key=lambda row: len(row.path)).block_id if held else FIELDS[0]


def _check(raw: dict[str, Any], numbers: dict[str, list[int]], field_of: Callable[..., str] = _field_of_path) -> None:
    """Every check of `playbook load`, each problem on its field (`field_of` its path); a list's by its line."""
    try:
        parse_playbook(raw)
    except DefinitionError as err:
        problems: dict[str, Refusal | str] = {}
        for problem, path in zip(err.problems, err.paths, strict=True):
            where = field_of(path)
            text = problem.split(": ", 1)[1] if ": " in problem else problem
            index = next((p for p in path if isinstance(p, int)), None)
            lines = numbers.get(where, [])
            if index is None and where in FIELDS:  # a check of the whole list quotes its line: found by its text
                row = next(r for r in ROWS if r.block_id == where)
                given = _at(raw, row.path)
                quoted = [i for i, e in enumerate(given if isinstance(given, list) else []) if repr(e) in text]
                index = quoted[0] if quoted else None
            text = text[:1].upper() + text[1:]
            if index is not None and index < len(lines):
                text = f"Line {lines[index]}: {text}"
            problems.setdefault(where, text)
        raise forms.FormProblems(problems) from None
