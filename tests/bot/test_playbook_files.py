"""Playbook files, as `rollout playbook load` reads them: each file whole or not at all,
every problem one line `FILE:LINE: key: what is wrong` in plain words (bot/playbook_files.py)."""

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from storage.models.playbooks import Playbook, Step
from tests.conftest import SUPPORT_REPLIES, past_the_database
from tests.yaml_rows import count_rows, write_yaml

ROOT = Path(__file__).resolve().parents[2]


def test_a_malformed_file_loads_nothing_and_names_the_problem(run, tmp_path, engine):
    bad = {**SUPPORT_REPLIES, "playbook": "broken", "kpi": {**SUPPORT_REPLIES["kpi"], "direction": "sideways"}}
    path = write_yaml(tmp_path, "mixed.yaml", SUPPORT_REPLIES, bad)
    result = run("playbook", "load", path)
    assert result.exit_code == 1
    line = Path(path).read_text().splitlines().index("  direction: sideways") + 1
    assert result.output.splitlines() == [
        f"{path}:{line}: kpi.direction: must be 'up' or 'down', got 'sideways'",
        f"Error: nothing of {path} was loaded; what a playbook takes: docs/playbooks.md",
    ]
    assert count_rows(engine, Playbook) == 0


def test_invalid_yaml_names_the_line(run, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("playbook: x\nsteps: [\n  - {name: a\n")
    result = run("playbook", "load", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{path}:3: not valid YAML: a value is missing inside the brackets opened on line 3"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("a:\n  - 1\n b: 2\n", "3: not valid YAML: this line's indentation does not fit the lines above it"),
        ("title: a: b\n", "1: not valid YAML: a ':' where no key can start"),
        (
            "title: 'Outreach\n",
            "1: not valid YAML: the quote opened on line 1 is never closed: the file ends inside it",
        ),
        ("steps: [a, b\ntitle: x\n", "2: not valid YAML: the '[' on line 1 is not closed by ']'"),
        ("title:\tx\n\tkpi: 1\n", "1: not valid YAML: a tab: YAML indents with spaces only"),
    ],
    ids=["indentation", "colon", "quote", "bracket", "tab"],
)
def test_yaml_a_person_mistyped_is_said_in_words_not_the_parsers(run, tmp_path, text, said):
    """Issue 66, item 12: "expected <block end>, but found '<block sequence start>'" was
    the parser's; one line, `FILE:LINE:`, says what to look for."""
    path = tmp_path / "typo.yaml"
    path.write_text(text)
    result = run("playbook", "load", str(path))
    assert result.exit_code == 1
    first, last = result.output.splitlines()
    assert first.startswith(f"{path}:{said}"), first
    assert "<block" not in first and "expected" not in first
    assert last == f"Error: nothing of {path} was loaded; what a playbook takes: docs/playbooks.md"


UNCLOSED = """\
playbook: support-replies
title: Support reply drafting
kpi:
  name: {quote}First-response time
  unit: min
  direction: down
  baseline: 42
  target: 15
function: Support
channel: C0123456789
owner: U0123456789
rubric_threshold: 0.9
steps:
  - name: draft
    mode: collaborative
  - name: send
    mode: ai-led
guardrail: {{name: {quote}CSAT{quote}, min: 4.6}}
"""


@pytest.mark.parametrize("quote", ['"', "'"])
def test_a_quote_left_open_is_said_at_the_line_it_opened(run, tmp_path, engine, quote):
    """Issue 108, item 5: a quote left open on line 4 was `bad3.yaml:17: … indentation does
    not fit … (the block begun on line 4)`, the parser's complaint about what followed the
    next quote mark, 14 lines below. Now: the line the quote opened, and why."""
    path = tmp_path / "bad3.yaml"
    path.write_text(UNCLOSED.format(quote=quote))
    result = run("playbook", "load", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{path}:4: not valid YAML: the quote ({quote}) opened on line 4 is not closed there, so YAML reads on to "
        f"the next {quote} on line 18, the keys between taken for text: close it on line 4"
    )
    assert count_rows(engine, Playbook) == 0


def test_a_text_quoted_over_several_lines_is_still_a_text(run, tmp_path, engine):
    """A quote that does close, lines below, over lines that read as text, is YAML's: loaded."""
    path = tmp_path / "long.yaml"
    written = yaml.safe_dump(SUPPORT_REPLIES, sort_keys=False)
    path.write_text(written.replace("title: Support reply drafting", 'title: "Support reply\n  drafting, in words"'))
    result = run("playbook", "load", str(path))
    assert result.exit_code == 0, result.output
    assert count_rows(engine, Playbook) == 1


def test_a_files_problems_are_said_in_the_order_of_its_lines(run, tmp_path, engine):
    """Issue 108, item 5: they came in the schema's order (kpi before steps, the missing key
    last), not the file's."""
    path = tmp_path / "order.yaml"
    path.write_text(
        "steps:\n  - name: draft\n    mode: sideways\n  - name: send\n    mode: ai-led\n"
        "exception_cap: 7\n"
        "kpi: {name: First-response time, unit: min, direction: sideways, baseline: 42, target: 15}\n"
        "playbook: support-replies\ntitle: Support reply drafting\nfunction: Support\n"
        "channel: C0123456789\nowner: U0123456789\n"
    )
    result = run("playbook", "load", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines()[:-1] == [
        f"{path}:1: rubric_threshold: required, and not given",
        f"{path}:3: steps[draft].mode: must be 'human-led', 'collaborative' or 'ai-led', got 'sideways'",
        f"{path}:6: exception_cap: must be at most 1, got 7",
        f"{path}:7: kpi.direction: must be 'up' or 'down', got 'sideways'",
    ]
    assert count_rows(engine, Playbook) == 0


def test_a_key_given_twice_is_refused_naming_both_lines_and_nothing_loads(run, tmp_path, engine):
    """Issue 66, item 9: a second `steps:` block loaded with rc 0 (YAML keeps the last) and
    retired the steps it left out."""
    path = Path(write_yaml(tmp_path, "support.yaml", SUPPORT_REPLIES))
    assert run("playbook", "load", str(path)).exit_code == 0
    first = path.read_text().splitlines().index("steps:") + 1
    path.write_text(path.read_text() + "steps:\n- name: draft\n  mode: collaborative\n")
    second = len(path.read_text().splitlines()) - 2
    result = run("playbook", "load", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{path}:{second}: steps: given on line {first} and again on line {second}; "
        "give each key once (YAML would keep only the last)"
    )
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Step).where(Step.retired_at.is_not(None))).one() == 0
    # in a nested mapping too, and a merge (`<<:`) is YAML's own way to override, not a repeat
    path.write_text("defaults: &d {name: CSAT, min: 4}\nguardrail:\n  <<: *d\n  min: 3\n  min: 4.2\n")
    assert run("playbook", "load", str(path)).output.splitlines()[0] == (
        f"{path}:5: min: given on line 4 and again on line 5; give each key once (YAML would keep only the last)"
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [("kpi: {name: t, direction: up, direction: down}\n", "direction"), ("{? x : 1, ? x : 2}\n", "x")],
)
def test_a_key_given_twice_on_one_line_is_refused_too(run, tmp_path, engine, text, key):
    """A reviewer of issue 66, item 9: a flow mapping repeating a key on its one line
    loaded silently, the last one kept."""
    path = tmp_path / "flow.yaml"
    path.write_text(text)
    result = run("playbook", "load", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{path}:1: {key}: given twice on line 1; give each key once (YAML would keep only the last)"
    )
    assert count_rows(engine, Playbook) == 0


@pytest.mark.parametrize("written", ["flow", "block"])
def test_an_input_listed_twice_names_the_line_of_the_inputs(run, tmp_path, engine, written):
    """Issue 78, item 2: `inputs` repeating a name (ignoring case, as steps) named line 1
    and `document:`, where every other problem names its own line."""
    path = tmp_path / "twice.yaml"
    text = yaml.safe_dump({**SUPPORT_REPLIES, "inputs": ["ticket text", "customer profile", "Ticket Text"]})
    if written == "flow":
        text = text.replace("inputs:\n- ticket text\n- customer profile\n- Ticket Text\n", "")
        text += "inputs: [ticket text, customer profile, Ticket Text]\n"
    path.write_text(text)
    line = next(n for n, said in enumerate(text.splitlines(), start=1) if said.startswith("inputs:"))
    assert line > 1
    result = run("playbook", "load", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{path}:{line}: inputs: input 'Ticket Text' is listed twice"
    assert count_rows(engine, Playbook) == 0


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_file_nested_however_deep_is_one_sentence(run, tmp_path, engine, depth):
    """Issue 66, item 10: 1,000 nested brackets in 2 KB ended in a RecursionError traceback
    of about 200 KB (this runs in-process: the exception would fail the test)."""
    path = tmp_path / "deep.yaml"
    path.write_text("playbook: " + "[" * depth + "]" * depth + "\n")
    result = run("playbook", "load", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:1: nested more than 20 levels deep; a playbook needs at most 6",
        f"Error: nothing of {path} was loaded; what a playbook takes: docs/playbooks.md",
    ]
    path.write_text("".join(f"{' ' * i}a:\n" for i in range(500)))  # by indentation, as deep as it takes
    assert "nested more than 20 levels deep" in run("playbook", "load", str(path)).output
    assert count_rows(engine, Playbook) == 0


def test_duplicate_slugs_in_one_file(run, tmp_path):
    result = run("playbook", "load", write_yaml(tmp_path, "dup.yaml", SUPPORT_REPLIES, SUPPORT_REPLIES))
    assert result.exit_code == 1 and "defined twice" in result.output


def test_several_files_load_each_whole_or_not_at_all(run, tmp_path, engine):
    good = write_yaml(tmp_path, "good.yaml", SUPPORT_REPLIES)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "playbook: sales-outreach\ntitle: Outreach\nfunction: Sales\nchannel: CSALES0001\nowner: UOWNER0001\n"
        "kpi: {name: Replies, direction: up, baseline: 1, target: 2}\n"
        "steps:\n  - name: research\n    mode: ai-led\n  - name: draft\n    mode: auto\n"
    )
    result = run("playbook", "load", good, str(bad))
    assert result.exit_code == 1
    # issue 66, item 11: the good file loads; the step by its name, and the line the problem is on
    assert past_the_database(result.output).splitlines() == [
        "support-replies: created",
        f"{bad}:1: rubric_threshold: required, and not given",  # a key not given: the line of its mapping
        f"{bad}:1: exception_cap: required, and not given",
        f"{bad}:11: steps[draft].mode: must be 'human-led', 'collaborative' or 'ai-led', got 'auto'",
        f"Error: 1 file loaded; 1 refused, and nothing of it loaded: {bad}; what a playbook takes: docs/playbooks.md",
    ]
    assert count_rows(engine, Playbook) == 1
    second = {**SUPPORT_REPLIES, "playbook": "sales-outreach", "function": "Sales"}
    result = run("playbook", "load", good, write_yaml(tmp_path, "sales.yaml", second))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["support-replies: unchanged", "sales-outreach: created"]


def test_load_says_in_its_help_that_each_file_is_all_or_nothing(run):
    """Issue 78, item 5: as docs/usage.md says it, and as it does (above)."""
    said = " ".join(run("playbook", "load", "--help").output.split())
    assert "Each file all or nothing: the good ones load, a refused one is named with its problems" in said
    assert "the exit is non-zero if any was refused" in said


# A database that refuses one playbook's row, as a full disk or a rule a DBA added would:
# a trigger on the table, in each dialect's words.
REFUSE_SALES = {
    "sqlite": [
        "CREATE TRIGGER refuse_sales BEFORE INSERT ON playbook WHEN NEW.slug = 'sales-outreach' "
        "BEGIN SELECT RAISE(ABORT, 'no space left on device'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_sales() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'no space left on device'; END $$",
        "CREATE TRIGGER refuse_sales BEFORE INSERT ON playbook FOR EACH ROW "
        "WHEN (NEW.slug = 'sales-outreach') EXECUTE FUNCTION refuse_sales()",
    ],
}


def test_a_database_error_on_one_file_still_says_what_the_files_before_it_loaded(
    tmp_path, engine, database_url, monkeypatch, capsys
):
    """A reviewer of issue 66: `playbook load a.yaml b.yaml` printed outcomes only once every
    file had loaded, so a database error on b.yaml left a.yaml committed with nothing said
    of it. Run as `rollout` runs (bot.cli.main, which says a database error in one sentence)."""
    from bot.cli import main

    good = write_yaml(tmp_path, "support.yaml", SUPPORT_REPLIES)
    sales = write_yaml(tmp_path, "sales.yaml", {**SUPPORT_REPLIES, "playbook": "sales-outreach", "function": "Sales"})
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["rollout", "playbook", "load", good, sales])
    with engine.begin() as connection:
        for statement in REFUSE_SALES[engine.dialect.name]:
            connection.exec_driver_sql(statement)
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        with engine.begin() as connection:  # PostgreSQL's database is the worker's, kept for the next test
            connection.exec_driver_sql(
                "DROP TRIGGER refuse_sales" + (" ON playbook" if engine.dialect.name == "postgresql" else "")
            )
            if engine.dialect.name == "postgresql":
                connection.exec_driver_sql("DROP FUNCTION refuse_sales()")
    out, err = capsys.readouterr()
    assert exited.value.code == 1
    assert out.splitlines() == ["support-replies: created"]
    assert (
        past_the_database(err).startswith("Error: the database stopped answering (")
        and "no space left on device" in err
    )
    assert "what was not committed was not done" in err and "Traceback" not in out + err
    with Session(engine) as s:
        assert s.exec(select(Playbook.slug)).all() == ["support-replies"]


def test_a_playbook_in_two_files_loads_nothing(run, tmp_path, engine):
    result = run(
        "playbook",
        "load",
        write_yaml(tmp_path, "a.yaml", SUPPORT_REPLIES),
        write_yaml(tmp_path, "b.yaml", SUPPORT_REPLIES),
    )
    assert result.exit_code == 1
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    said = f"Playbook support-replies is defined in {a} and again in {b}; neither file was loaded: keep it in one."
    assert past_the_database(result.output).splitlines()[:2] == [f"{a}: {said}", f"{b}: {said}"]
    assert count_rows(engine, Playbook) == 0


def test_every_file_in_examples_loads_as_the_readme_writes_it(run, engine, monkeypatch):
    """`rollout playbook load examples/*`: the folder holds playbooks and nothing else. The
    sourced example's variables are set, as its header says (docs/sources.md)."""
    for variable in ("PROM_TOKEN", "CI_TOKEN"):
        monkeypatch.setenv(variable, "a-token")
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql+psycopg://reader:secret@warehouse/support")
    files = sorted(str(p) for p in (ROOT / "examples").iterdir())
    loaded = run("playbook", "load", *files)
    assert loaded.exit_code == 0, loaded.output
    assert count_rows(engine, Playbook) == len(files)


def test_examples_load_each_file_whole_and_say_which_wants_what(run, engine, monkeypatch):
    """Issue 66, item 11: `rollout playbook load examples/*.yaml` loaded nothing, because
    the sourced example wants its variables; each file loads or is refused on its own."""
    for variable in ("PROM_TOKEN", "CI_TOKEN", "WAREHOUSE_URL"):
        monkeypatch.delenv(variable, raising=False)
    files = sorted(str(p) for p in (ROOT / "examples").iterdir())
    sourced = str(ROOT / "examples" / "support-replies-sourced.yaml")
    result = run("playbook", "load", *files)
    assert result.exit_code == 1
    lines = past_the_database(result.output).splitlines()
    assert lines[:4] == [
        "invoice-matching: created",
        "lead-research: created",
        "refund-triage: created",
        "support-replies: created",
    ]
    assert [line.split(": ", 1)[1] for line in lines[4:7]] == [
        "sources.helpdesk: environment variable PROM_TOKEN is not set",
        "sources.warehouse: environment variable WAREHOUSE_URL is not set",
        "sources.ci-stats: environment variable CI_TOKEN is not set",
    ]
    assert lines[4].startswith(f"{sourced}:13: ")
    assert lines[7].startswith(f"Error: 4 files loaded; 1 refused, and nothing of it loaded: {sourced}; ")
    assert count_rows(engine, Playbook) == 4
    # the README says which example wants which variables
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "examples/support-replies-sourced.yaml" in readme and all(
        variable in readme for variable in ("PROM_TOKEN", "WAREHOUSE_URL", "CI_TOKEN")
    )


def test_a_misspelt_key_in_a_file_is_one_line_naming_the_key_it_meant(run, tmp_path, engine):
    """Issue 66, item 12: `directon` was also said as "kpi.direction: required field is missing"."""
    path = tmp_path / "typo.yaml"
    text = yaml.safe_dump(SUPPORT_REPLIES, sort_keys=False).replace("direction:", "directon:")
    path.write_text(text)
    line = text.splitlines().index("  directon: down") + 1
    result = run("playbook", "load", str(path))
    assert result.output.splitlines()[:-1] == [f"{path}:{line}: kpi.directon: not a key here; did you mean direction?"]


def _loaded_with(run, tmp_path, extra: str, base=SUPPORT_REPLIES):
    """support-replies (or `base`) with `extra` lines at its end, loaded: the result and
    the file's lines."""
    path = tmp_path / "odd.yaml"
    text = yaml.safe_dump(base, sort_keys=False) + extra
    path.write_text(text)
    return run("playbook", "load", str(path)), path, text.splitlines()


@pytest.mark.parametrize(
    ("extra", "written", "said"),
    [
        (
            "value:\n  event: reply_accepted\n  review_minutes: true\n",
            "  review_minutes: true",
            "value.review_minutes: must be a number, got true",
        ),
        (
            "value:\n  event: reply_accepted\n  review_minutes: '4'\n",
            "  review_minutes: '4'",
            "value.review_minutes: must be a number, got '4'",
        ),
        ("cost:\n  per_month: 1e300\n", "  per_month: 1e300", "cost.per_month: must be a number, got '1e300'"),
        (
            "cost:\n  per_month: 1.0e+300\n",
            "  per_month: 1.0e+300",
            "cost.per_month: must be at most 1e+12, got 1e+300",
        ),
        ("min_cases: 4.5\n", "min_cases: 4.5", "min_cases: must be a whole number, got 4.5"),
    ],
)
def test_an_odd_number_is_refused_naming_its_key_and_line(run, tmp_path, engine, extra, written, said):
    """Issue 91, item 5: `true` was stored as 1, the text '4' as 4, and 1e300 as a cost a
    month; each is refused at its own line, naming its key, and nothing loads."""
    result, path, lines = _loaded_with(run, tmp_path, extra)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{path}:{lines.index(written) + 1}: {said}"
    assert count_rows(engine, Playbook) == 0


EVENTS = "value_events:\n- name: reply_accepted\n  step: draft\n  counts: cases\n"
SOURCED_KPI = {
    **SUPPORT_REPLIES,
    "kpi": {**SUPPORT_REPLIES["kpi"], "from": {"source": "helpdesk", "query": "select 1"}},
}


@pytest.mark.parametrize(
    ("extra", "base", "written", "said"),
    [
        (
            EVENTS + "- name: reply_accepted\n  step: send\n  counts: cases\n",
            SUPPORT_REPLIES,
            -3,  # the second `- name: reply_accepted`
            "value_events[1].name: value event reply_accepted is listed twice",
        ),
        (
            EVENTS.replace("step: draft", "step: drafts"),
            SUPPORT_REPLIES,
            "  step: drafts",
            "value_events[0].step: value event reply_accepted names step 'drafts', which is not a step of this playbook",
        ),
        (
            EVENTS + "- name: reply_kept\n  step: draft\n  counts: cases\n",
            SUPPORT_REPLIES,
            "- name: reply_kept",
            "value_events[1]: value event reply_kept: another event already counts draft's cases",
        ),
        ("", SOURCED_KPI, "    source: helpdesk", "kpi.from: unknown source 'helpdesk' (the playbook's sources: none)"),
        (
            "cost:\n  source: billing\n  query: select 1\n",
            SUPPORT_REPLIES,
            "  source: billing",
            "cost: unknown source 'billing' (the playbook's sources: none)",
        ),
        (
            "rubric_floor: 0.95\n",
            SUPPORT_REPLIES,
            "rubric_floor: 0.95",
            "rubric_floor: 0.95 is above rubric_threshold (0.9)",
        ),
        (
            "rules:\n  rubric_floor: 0.95\n",
            SUPPORT_REPLIES,
            "  rubric_floor: 0.95",
            "rules.rubric_floor: 0.95 is above rubric_threshold (0.9)",
        ),
        (
            "demote_after_fails: 5\n",
            SUPPORT_REPLIES,
            "demote_after_fails: 5",
            "demote_after_fails: 5 cannot exceed demote_window_weeks (4)",
        ),
    ],
)
def test_a_problem_comparing_fields_names_the_line_of_the_field(run, tmp_path, engine, extra, base, written, said):
    """Issue 91, item 9: a value event listed twice, an unknown source in `from:`, a floor
    above the threshold named line 1 (`document:`); each names its own field's line."""
    result, path, lines = _loaded_with(run, tmp_path, extra, base)
    assert result.exit_code == 1
    line = len(lines) + 1 + written if isinstance(written, int) else lines.index(written) + 1
    assert line > 1
    assert result.output.splitlines()[0] == f"{path}:{line}: {said}"
    assert count_rows(engine, Playbook) == 0
