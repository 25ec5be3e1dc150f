"""Every message the bot sends, as Jinja2 templates of Block Kit JSON.

Escaping is the default, not something to remember: every `{{ value }}` is escaped
for Slack mrkdwn (`&`, `<`, `>`, so `<!channel>` typed by a user cannot ping anyone)
and then for JSON. Only `Mrkdwn` values, which the bot builds itself from ids it has
validated (mentions, channel links), pass through unescaped. What people type (reasons,
notes, names) is marked `| typed` as well: shown as their words on one line, never as
the bot's own formatting (`typed`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from cadence import dimensions
from cadence.decisions import named_ids
from cadence.escalation import mode_words
from cadence.figures import REPORTS_COUNTED_UP_TO, StepWeek
from cadence.judgement import Evidence, Interval, KpiChange, ratio_interval, rubric_interval
from cadence.report_kinds import ReportKind
from cadence.rules import Kind, TransitionRule
from cadence.text import without_invisible
from cadence.verdicts import Thresholds, VerdictRule
from templates.compare_words import compare_phrase, versus_rest
from templates.numbers import MINUS, ask_phrase, match_phrase, measure, plural, signed_share
from templates.numbers import number as _number
from templates.numbers import pct as _pct
from templates.numbers import percent as _percent
from templates.pool_words import bar_moved
from templates.pulse_words import answered_phrase, hold_phrase, pulse_phrase
from templates.readiness import criterion_phrase
from templates.waves import wave_line

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK_TEXT = 40000

_ID = re.compile(r"^[UWBCGD][A-Z0-9]{2,}$")
# A person's or a channel's id inside a text the bot wrote (a decision's summary, written
# with ids), with a digit in it, as Slack's ids have, so that words in capitals are not.
ID_IN_TEXT = re.compile(r"\b[UWCG](?=[A-Z0-9]*[0-9])[A-Z0-9]{8,}\b")
# A str as a JSON string literal, non-ASCII kept: what json.dumps(text, ensure_ascii=False)
# gives, without building an encoder for every value of every message.
_json_string = json.encoder.encode_basestring


class Mrkdwn(str):
    """Text the bot built itself and vouches for: emitted without Slack escaping."""


class PlainText(str):
    """Text for a `plain_text` field or a value that comes back to us (button values,
    private_metadata): Slack shows it literally and never turns it into a mention, so
    it is JSON-escaped only. Mark it with the `plain` filter."""


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x85\u2028\u2029]\s*")
_EMOJI_CODE = re.compile(r":(?=[A-Za-z0-9_+'-]+:)")  # the first colon of an :emoji: code
_OPENING_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_")  # where _italics_ could begin
_QUOTE_START = re.compile(r"^\s*>")
# Slack's mrkdwn has no escape for its markers, so each shows as its look-alike: the text
# reads as typed and never as the bot's bold, italics, strike, code or emoji.
_LOOK_ALIKES = str.maketrans({"*": "\u2217", "~": "\u223c", "`": "\u02cb"})


def one_line(text: Any) -> str:
    """What a person typed (a reason, a note, a name), as plain text in a sentence of the
    bot's: on one line, bidirectional controls and zero-width characters removed (they
    are refused at input; this covers text stored before). Nothing escaped, nothing
    marked: what the reporting API and the command line say (templates/refusals.py)."""
    return _LINE_BREAKS.sub(" ", without_invisible("" if text is None else str(text)))


def typed(text: Any) -> Mrkdwn:
    """What a person typed (a reason, a note, a name), for a mrkdwn text: shown as their
    words, never as the bot's formatting. On one line (`one_line`: a line break can't
    start a line of its own, a quote or a list); `*`, `_`, `~`, backticks and `:emoji:`
    codes, and a `>` that would start a quote, shown as look-alikes that Slack does not
    format; `&`, `<`, `>` escaped (no mention, link or ping)."""
    text = one_line(text)
    text = _EMOJI_CODE.sub("\ua789", text)
    text = _OPENING_UNDERSCORE.sub("\u02cd", text.translate(_LOOK_ALIKES))
    text = _QUOTE_START.sub("\u02c3", text)
    return Mrkdwn(slack_escape(text))


def mrkdwn(pattern: str, *args: Any) -> Mrkdwn:
    """`pattern` (the bot's own text) with `{}` filled by args as typed text (`typed`);
    Mrkdwn args pass as they are."""
    return Mrkdwn(pattern.format(*(a if isinstance(a, Mrkdwn) else typed(a) for a in args)))


def _finalize(value: Any) -> str:
    # Exact types first: every value of every message passes here (80 per week summary).
    kind = type(value)
    if kind is str:
        return _escaped(value)
    if kind is int or kind is float:
        return str(value)  # digits, a sign, a point: nothing to escape for Slack or JSON
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, (Mrkdwn, PlainText)):
        text = str(value)
    else:
        text = slack_escape(str(value))
    return _json_string(text)[1:-1]


@functools.lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    """Text escaped for Slack and for a JSON string. Kept for the texts messages repeat
    (names, modes, verdicts, "10 cases"): a close renders 70 of them a summary."""
    return _json_string(slack_escape(text))[1:-1]


def _link(sigil: str):
    """A filter turning a validated id into a mention (`@`) or channel link (`#`); anything
    that is not an id is shown escaped, as text."""

    def link(ident: str) -> Mrkdwn:
        if not _ID.match(ident or ""):
            return Mrkdwn(slack_escape(str(ident)))
        return Mrkdwn(f"<{sigil}{ident}>")

    return link


_user, _channel = _link("@"), _link("#")


def _mentioning(text: Any, figures: dict[str, Any] | None = None) -> Mrkdwn:
    """A decision's summary, written by the bot with ids in it ("owner U… → U…"), as
    `typed` text whose ids the bot put there (`cadence.decisions.named_ids`, from the
    decision's figures) are mentions and channel links: Slack shows them by name. Anything
    else that looks like an id (a title typed as `<@U…>`, a word like CUSTOMER2024) is
    someone's text and stays text."""
    return with_mentions(text, named_ids(figures))


def with_mentions(text: Any, named: frozenset[str]) -> Mrkdwn:
    """`text` the bot wrote with ids in it, as `typed` text whose ids in `named` (those
    the bot put there) are mentions and channel links; any other stays text."""

    def link(found: re.Match[str]) -> str:
        token = found.group(0)
        if token not in named:
            return token
        return f"<{'@' if token[0] in 'UW' else '#'}{token}>"

    return Mrkdwn(ID_IN_TEXT.sub(link, typed(text)))


def _source(reported_by: str) -> Mrkdwn:
    """Who made a report: a person (a mention), a reporting API token (`token:<name>`) or a
    source (`source:<name>`)."""
    if reported_by.startswith("token:"):
        return Mrkdwn("token " + slack_escape(reported_by[len("token:") :]))
    if reported_by.startswith("source:"):  # pulled by the clock from a source (docs/sources.md)
        return Mrkdwn("source " + slack_escape(reported_by[len("source:") :]))
    return _user(reported_by)


_WEB_LINK = re.compile(r"^https?://[^\s<>|\"]{1,490}$", re.IGNORECASE)


def _web_link(text: str, limit: int = 150) -> Mrkdwn:
    """A kit's line: a web link (http/https, as the playbook's schema allows) shown whole
    as escaped text, which Slack makes a link of itself (the bot writes no link markup
    from a person's text); anything else as typed text, at most `limit` characters."""
    text = str(text)
    if _WEB_LINK.match(text):
        return Mrkdwn(slack_escape(text))
    return typed(text if len(text) <= limit else text[: limit - 1] + "…")


def _exceptions_phrase(f: dict[str, Any]) -> str:
    """'exceptions 5/20 = 25% > 2 × cap 10%': the numbers a verdict or alert stands on."""
    if f.get("cases") is None:
        return "no case count reported"
    if not f["cases"]:
        return f"{f['exceptions']} exceptions on 0 cases"
    ratio, cap = f["exceptions"] / f["cases"], f["cap"]
    critical = f.get("critical_multiplier", 2) * cap
    if ratio > critical and f.get("rule") == TransitionRule.CRITICAL:
        comparison = f"> {f.get('critical_multiplier', 2):g} × cap {_pct(cap)}"
    else:
        comparison = f"{'>' if ratio > cap else '≤'} cap {_pct(cap)}"
    return f"exceptions {f['exceptions']}/{f['cases']} = {_pct(ratio)} {comparison}"


def _rubric_phrase(f: dict[str, Any]) -> str:
    rubric = f.get("rubric")
    if rubric is None:
        return "no rubric score"
    # by dimension: "rubric accuracy 17/20 = 85%, lowest of 3, < threshold 90%"
    said = f"rubric {dimensions.words(f.get('dimensions'), f.get('reviewed')) or _pct(rubric)}"
    said += "," if f.get("dimensions") and f.get("reviewed") else ""
    if rubric < f["floor"]:
        return f"{said} < floor {_pct(f['floor'])}"
    if rubric >= f["threshold"]:
        return f"{said} ≥ {_pct(f['threshold'])}"
    return f"{said} < threshold {_pct(f['threshold'])}"


def _verdict_phrase(f: dict[str, Any]) -> str:
    """Why a week got its verdict, in numbers."""
    if f.get("cases") is None:
        return "no case count reported"
    if f["cases"] < f.get("min_cases", 0):
        return f"{f['cases']} cases < {f['min_cases']} needed to judge"
    return f"{_exceptions_phrase(f)}, {_rubric_phrase(f)}"


def _ci(interval: Interval | None) -> str:
    """A 95% interval as the bot shows it: "95% CI 4–38%"."""
    return "" if interval is None else f"95% CI {interval.low * 100:.0f}–{interval.high * 100:.0f}%"


def _ratio_ci(s: StepWeek) -> str:
    """A step's week's exception ratio's interval: "95% CI 4–38%" ("" without cases)."""
    return _ci(ratio_interval(s.total_exceptions, s.cases))


def rubric_sample(s: StepWeek) -> str:
    """What a step's week's rubric score was judged on: "18 of 20 reviewed", "every case
    reviewed" (a bare score), "sample too small (2 of the 4 asked)"; "" without a score."""
    if s.rubric is None:
        return ""
    if s.sample_too_small:
        return f"sample too small ({s.reviewed} of the {s.asked} asked)"
    return dimensions.words(s.dimensions, s.reviewed) or sample_words(s.rubric, s.reviewed)


def sample_words(rubric: float, reviewed: int | None) -> str:
    """ "18 of 20 reviewed" for a score of a sample, "every case reviewed" for a bare score."""
    return "every case reviewed" if reviewed is None else f"{round(rubric * reviewed)} of {reviewed} reviewed"


def _rubric_ci(s: StepWeek) -> str:
    """A step's week's rubric score's sample and interval, on the cases reviewed: "18 of 20
    reviewed, 95% CI 70–97%"; a sample too small says it counts as no rubric score."""
    sample = rubric_sample(s)
    if s.sample_too_small:
        return f"{sample}: counts as no rubric score"
    return ", ".join(part for part in (sample, _ci(rubric_interval(s.rubric, s.cases, s.reviewed))) if part)


def ratio_with_ci(exceptions: int | None, cases: int | None, cap: float | None = None) -> str:
    """An exception ratio with its cases and 95% Wilson interval, as every surface shows
    it: "2 of 15 = 13% (95% CI 4–38%, cap 10%)"; "" without cases."""
    interval = ratio_interval(exceptions or 0, cases)
    if interval is None or not cases:
        return ""
    limit = "" if cap is None else f", cap {_pct(cap)}"
    return f"{exceptions or 0} of {cases} = {_percent((exceptions or 0) / cases)} ({_ci(interval)}{limit})"


def rubric_with_ci(
    rubric: float | None, cases: int | None, threshold: float | None = None, reviewed: int | None = None
) -> str:
    """A rubric score with its sample and interval: "90% of 20 reviewed (95% CI 70–97%,
    threshold 90%)", a bare score "88% of 15 cases (every case reviewed, 95% CI 64–96%,
    threshold 90%)"; the score alone without a sample, "" without a score."""
    if rubric is None:
        return ""
    interval = rubric_interval(rubric, cases, reviewed)
    limit = "" if threshold is None else f", threshold {_pct(threshold)}"
    if interval is not None and reviewed:
        return f"{_percent(rubric)} of {reviewed} reviewed ({_ci(interval)}{limit})"
    if interval is None or not cases:
        return _pct(rubric)
    return f"{_percent(rubric)} of {plural(cases, 'case')} (every case reviewed, {_ci(interval)}{limit})"


def _delta(value: float) -> str:
    return f"{value:+.1f}".replace("-", MINUS)


def _kpi_change_phrase(k: KpiChange, unit: str) -> str:
    """ "−11.5 min from baseline, 95% CI −13.6 to −9.4", "within noise" when the interval
    includes zero; one weekly value has no interval."""
    if k.change is None:
        return "no KPI reported"
    said = f"{_delta(k.change)}{' ' + unit if unit else ''} from baseline"
    if k.interval is None:
        return f"{said} (one weekly value: no interval)"
    said += f", 95% CI {_delta(k.interval.low)} to {_delta(k.interval.high)}"
    return f"{said}: within noise" if k.within_noise else said


def inconclusive_reason(
    rule: str | None,
    cases: int | None,
    rubric: float | None,
    t: Thresholds,
    exceptions: int = 0,
    pooled: Evidence | None = None,
    reviewed: int | None = None,
    by_dimension: str | None = None,
) -> str:
    """Why a week was INCONCLUSIVE (cadence.rules.VerdictRule), for its close: "6 cases, fewer
    than the 10 needed", "rubric 85% is between the floor 80% and the threshold 90%", "no
    rubric score reported". A rule this does not know is named as it is, never worded as
    one it knows; a verdict kept before its rule was (None): "reason not recorded"."""
    if rule is None:
        return "reason not recorded"
    if rule == VerdictRule.TOO_FEW_CASES and cases == 0:
        return "no cases"  # never within the cap
    if rule == VerdictRule.TOO_FEW_CASES and cases is not None:
        return f"{plural(cases, 'case')}, fewer than the {t.min_cases} needed"
    if rule == VerdictRule.RUBRIC_BETWEEN and rubric is not None:
        floor, threshold = _pct(t.rubric_floor), _pct(t.rubric_threshold)
        lowest = dimensions.words(by_dimension, reviewed)  # "accuracy 17/20 = 85%, lowest of 3"
        rubric_said = f"rubric {lowest}," if lowest else f"rubric {_pct(rubric)}"
        return f"{rubric_said} is between the floor {floor} and the threshold {threshold}"
    if rule == VerdictRule.NO_RUBRIC and rubric is None:
        return "no rubric score reported"
    if rule == VerdictRule.CONFIDENT_UNSURE and pooled is not None and pooled.weeks > 1:
        said = [f"exceptions {pooled.exceptions} of {pooled.cases}, {_ci(pooled.ratio)} (cap {_pct(t.exception_cap)})"]
        if rubric is not None:
            said.append(f"rubric {_ci(pooled.rubric)} (threshold {_pct(t.rubric_threshold)})")
        return f"not sure yet over the last {pooled.weeks} weeks: " + ", ".join(said)
    if rule == VerdictRule.CONFIDENT_UNSURE and cases:
        said = [f"exceptions {_ci(ratio_interval(exceptions, cases))} (cap {_pct(t.exception_cap)})"]
        if rubric is not None:
            said.append(
                f"rubric {_ci(rubric_interval(rubric, cases, reviewed))} (threshold {_pct(t.rubric_threshold)})"
            )
        return "too few cases to be sure: " + ", ".join(said)
    return f"by rule {rule}"


def pool_phrase(pool: Mapping[str, Any], t: Thresholds) -> str:
    """Small weeks pooled (cadence.closing.pool_figures): "weeks 1–3 pooled: 8 of 27 = 30%
    (95% CI 16–48%)", or still short: "weeks 1–2 pooled: 7 cases, fewer than the 10 needed";
    and when the bar changed within the pool, which bar judged it: ", judged by week 3's
    bar (cap 10%; 15% before)"."""
    weeks = pool["weeks"]
    said = f"weeks {weeks[0]}–{weeks[-1]} pooled"
    if pool["cases"] < t.min_cases:
        return f"{said}: {plural(pool['cases'], 'case')}, fewer than the {t.min_cases} needed" + bar_moved(pool, t)
    rubric = "" if pool.get("rubric") is None else f", rubric {_percent(pool['rubric'])}"
    return f"{said}: {ratio_with_ci(pool['exceptions'], pool['cases'])}{rubric}" + bar_moved(pool, t)


def _sure_over(pooled: Evidence) -> str:
    """What a confident PASS pooled: "sure over the last 3 weeks: exceptions 4 of 180, 95% CI 1–6%"."""
    said = f"sure over the last {pooled.weeks} weeks: exceptions {pooled.exceptions} of {pooled.cases}, {_ci(pooled.ratio)}"
    return said + (f", rubric {_ci(pooled.rubric)}" if pooled.rubric is not None else "")


SECTION_CHARS = 2900  # Block Kit allows a section's text 3,000 characters


def _clip(rendered: str, limit: int = SECTION_CHARS) -> str:
    """A section's rendered text (escaped for Slack and JSON) cut to `limit` characters, for
    lists of what people wrote (learnings, a kit, reasons) that no count of items can
    bound: at a line or a word, never inside an escape (`\\n`, `&amp;`) or a `<...>`,
    with an ellipsis. Counted escaped, so Slack, which counts the text unescaped, sees
    fewer characters still."""
    if len(rendered) <= limit:
        return rendered
    cut = rendered[:limit]
    if cut.rfind("&") > cut.rfind(";"):
        cut = cut[: cut.rfind("&")]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    cut = re.sub(r"\\u[0-9a-fA-F]{0,3}$", "", cut)
    if (len(cut) - len(cut.rstrip("\\"))) % 2:
        cut = cut[:-1]  # half of a JSON escape
    boundary = max(cut.rfind(" "), cut.rfind("\\n"))
    if boundary > limit - 300:
        cut = cut[:boundary]
    return cut + " …"


class NoWording(LookupError):
    """A template was asked to word something it has no words for (templates/mode_alert.json.j2:
    a kind of transition by a rule it has no branch for): an error when it renders, never
    the words of something else."""


def _no_wording(kind: str, rule: str) -> NoReturn:
    raise NoWording(f"no wording for a {kind} by rule {rule}")


def _code(text: str) -> Mrkdwn:
    """Inline code for the bot's own literal text (usage lines): backticks can't nest."""
    return Mrkdwn("`" + slack_escape(str(text)).replace("`", "'") + "`")


def _step_mode(step: Any) -> str:
    """A step (a row, or a mapping) as the mode map shows its mode: with its fallback while
    it falls back (cadence/escalation.py, mode_words)."""
    get = step.get if isinstance(step, Mapping) else lambda key: getattr(step, key, None)
    return mode_words(str(get("mode")), get("fallback_mode"))


def _week_words(week: Any) -> str:
    """A week (a WeekRef, or a mapping) as the messages name it: "week 2 of cycle 1", or
    "the baseline week" before an adopter's first cycle (cycle 0)."""
    get = week.get if isinstance(week, Mapping) else lambda key: getattr(week, key, None)
    return "the baseline week" if get("cycle") == 0 else f"week {get('week')} of cycle {get('cycle')}"


_env = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent)),
    finalize=_finalize,
    undefined=StrictUndefined,
    autoescape=False,  # escaping is done by _finalize, for Slack and JSON rather than HTML
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    auto_reload=False,  # templates ship with the code: a running process never sees them change
)
# Numbers and names every template may use without being handed them.
_env.globals.update(
    reports_counted_up_to=REPORTS_COUNTED_UP_TO,
    VerdictRule=VerdictRule,
    ReportKind=ReportKind,
    TransitionRule=TransitionRule,
    Kind=Kind,
    no_wording=_no_wording,
)
_env.filters.update(
    step_mode=_step_mode,
    week_words=_week_words,
    plural=lambda count, noun: plural(count, noun),
    user=_user,
    source=_source,
    web_link=_web_link,
    channel=_channel,
    number=_number,
    percent=_percent,
    code=_code,
    plain=lambda value: PlainText("" if value is None else str(value)),
    typed=typed,
    mentioning=_mentioning,
    exceptions_phrase=_exceptions_phrase,
    rubric_phrase=_rubric_phrase,
    verdict_phrase=_verdict_phrase,
    inconclusive_reason=inconclusive_reason,
    sure_over=_sure_over,
    pool_phrase=pool_phrase,
    ratio_ci=_ratio_ci,
    rubric_ci=_rubric_ci,
    rubric_sample=rubric_sample,
    lowest_dimension=lambda f: dimensions.words(f.get("dimensions"), f.get("reviewed")),  # a verdict's figures
    ratio_with_ci=ratio_with_ci,
    rubric_with_ci=rubric_with_ci,
    kpi_change_phrase=_kpi_change_phrase,
    criterion_phrase=criterion_phrase,
    clip=_clip,
    pct=lambda v: "–" if v is None else _pct(v),
    measure=measure,
    wave_line=wave_line,
    match_phrase=match_phrase,
    ask_phrase=ask_phrase,
    signed_share=signed_share,
    capitalize_first=lambda text: text[:1].upper() + text[1:],
    compare_phrase=compare_phrase,
    pulse_phrase=pulse_phrase,
    answered_phrase=answered_phrase,
    hold_phrase=hold_phrase,
    versus_rest=versus_rest,
    versus_rest_of=lambda rest, value, unit: versus_rest(value, rest, unit),
)


class BlockKitError(ValueError):
    """A rendered message Slack would reject."""


# Each template by name, once loaded: Jinja's own cache takes a lock and a lookup per call,
# and a week close renders a summary for every playbook.
_templates: dict[str, Template] = {}


def load_all() -> None:
    """Load and compile every template now: a process that renders many (the clock) pays
    for it at start rather than in its first week close, and a template that does not
    compile stops it at start rather than on Monday."""
    for name in template_names():
        _template(name)


def _template(name: str) -> Template:
    template = _templates.get(name)
    if template is None:
        template = _templates[name] = _env.get_template(f"{name}.json.j2")
    return template


def render(name: str, **context: Any) -> dict[str, Any]:
    """Render templates/<name>.json.j2 into a message payload and check it against
    Block Kit's limits, so a template bug fails here instead of at Slack."""
    text = _template(name).render(**context)
    try:
        message = json.loads(text)
    except json.JSONDecodeError as err:
        raise BlockKitError(f"template {name} produced invalid JSON: {err}") from err
    check_block_limits(message)
    return message


def check_block_limits(message: dict[str, Any]) -> None:
    """Raise BlockKitError at the first of Block Kit's limits `message` is past: the view's
    own, its block ids, its interactive elements, its fallback text, then each block's."""
    blocks = message.get("blocks", [])
    _check_view(message, blocks)
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        raise BlockKitError(f"block_id used twice: {sorted(b for b in block_ids if block_ids.count(b) > 1)[0]}")
    for element in _elements(blocks):
        _check_element(element)
    if len(message.get("text", "")) > MAX_FALLBACK_TEXT:
        raise BlockKitError("fallback text too long")
    for index, block in enumerate(blocks):
        _check_block(f"block {index} ({block.get('type')})", block)


def _check_view(message: dict[str, Any], blocks: list[dict[str, Any]]) -> None:
    """A message's or a view's count of blocks, and a modal's title, buttons and metadata."""
    limit = 100 if message.get("type") in ("modal", "home") else MAX_BLOCKS  # views allow 100 blocks
    if len(blocks) > limit:
        raise BlockKitError(f"{len(blocks)} blocks > {limit}")
    if message.get("type") != "modal":
        return
    for part in ("title", "submit", "close"):
        if len((message.get(part) or {}).get("text", "")) > 24:
            raise BlockKitError(f"modal {part} longer than 24 characters")
    if len(message.get("private_metadata", "")) > 3000:
        raise BlockKitError("private_metadata longer than 3000 characters")


def _check_element(element: dict[str, Any]) -> None:
    """A button's text and value, a menu's options."""
    kind = element.get("type")
    if kind == "button" and (len(element["text"]["text"]) > 75 or len(element.get("value", "")) > 2000):
        raise BlockKitError(f"button {element.get('action_id')}: text over 75 or value over 2000 characters")
    for option in element.get("options", []):
        if len(option["text"]["text"]) > 75 or len(option.get("value", "")) > 150:
            raise BlockKitError("an option's text is over 75 or its value over 150 characters")
    if kind == "static_select" and len(element.get("options", [])) > 100:
        raise BlockKitError("more than 100 options")


def _check_block(where: str, block: dict[str, Any]) -> None:
    """One block's text, fields, context elements and header; `where`: the block, in the error."""
    text: Any = block.get("text")  # Any: a header without text fails at its .get, as it always has
    if isinstance(text, dict) and len(text.get("text", "")) > MAX_TEXT:
        raise BlockKitError(f"{where}: text of {len(text['text'])} characters > {MAX_TEXT}")
    fields = block.get("fields", [])
    if len(fields) > MAX_FIELDS:
        raise BlockKitError(f"{where}: {len(fields)} fields > {MAX_FIELDS}")
    for item in fields:
        if len(item.get("text", "")) > MAX_FIELD_TEXT:
            raise BlockKitError(f"{where}: a field of {len(item['text'])} characters > {MAX_FIELD_TEXT}")
    if block.get("type") == "context":
        elements = block.get("elements", [])
        if len(elements) > MAX_CONTEXT_ELEMENTS:
            raise BlockKitError(f"{where}: more than {MAX_CONTEXT_ELEMENTS} elements")
        for element in elements:
            if len(element.get("text", "")) > MAX_TEXT:
                raise BlockKitError(f"{where}: an element of {len(element['text'])} characters > {MAX_TEXT}")
    if block.get("type") == "header" and len(text.get("text", "")) > 150:
        raise BlockKitError(f"{where}: header longer than 150 characters")


def _elements(blocks: list[dict[str, Any]]):
    for block in blocks:
        yield from block.get("elements", [])
        if isinstance(block.get("element"), dict):
            yield block["element"]
        if isinstance(block.get("accessory"), dict):
            yield block["accessory"]


def template_names() -> list[str]:
    return sorted(p.name[: -len(".json.j2")] for p in Path(__file__).parent.glob("*.json.j2"))
