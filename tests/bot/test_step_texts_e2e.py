"""A step's prompt and rubric as text end to end (docs/playbooks.md, "Prompts and rubrics as
text"), on SQLite and PostgreSQL: `/rollout kit` opened and submitted as Slack sends it to
the real endpoint (signed requests) saves a step's `prompt_text` and `rubric_text` with
its why; the API's playbook read and the assistant's `playbook` tool (over /mcp) give
them in the definition; `rollout playbook export` writes them and loading its file back
changes nothing; a version published, then adopted, carries them to the adopting team."""

from __future__ import annotations

import json

import anyio
import yaml
from sqlmodel import Session, select

from cadence import step_texts
from cadence.decisions import DecisionKind
from storage.models.governance import Decision, RegistryVersion
from tests.bot.test_api_reads import get
from tests.bot.test_mcp import http_client
from tests.conftest import ADMIN, OWNER
from tests.handlers.test_forms import deliver
from tests.handlers.test_kit_form import open_kit, shown, submit
from tests.openapi_check import described
from tests.usecases.test_governance import CURATOR, CURATORS, publish_over
from usecases import tokens

PROMPT = "You draft the reply to the ticket.\n\tQuote the policy: <b>refunds</b> & returns.\nSign as the team."
RUBRIC = "Tone: plain and kind.\nAccuracy: the policy as written."
WHY = "week 2's exceptions: refunds promised over the limit"
SALES, SALES_OWNER = "CSALES0001", "USALESOWN1"


def _changes(engine) -> list[Decision]:
    with Session(engine) as s:
        kind = DecisionKind.PLAYBOOK_CHANGED.value
        return list(s.exec(select(Decision).where(Decision.kind == kind).order_by(Decision.id)).all())


def _draft(store, slug="support-replies") -> dict:
    return store.playbooks.state(slug).playbook.definition["steps"][0]


def saved(bot, slack, store, engine, clock) -> None:
    """The owner's kit form, every field as Slack sends it (each as shown), with draft's
    texts typed: refused on *Why* without one, nothing stored; then saved with it."""
    view = open_kit(bot, slack)
    fields = shown(view)
    assert fields["prompt_text:draft"] == "" and fields["rubric_text:draft"] == ""
    given = {**fields, "prompt_text:draft": PROMPT.replace("\n", "\r\n"), "rubric_text:draft": RUBRIC}
    refused = submit(bot, view, given, OWNER)
    assert refused.body["response_action"] == "errors", refused.body
    assert "Say why the prompt or the rubric changed" in refused.body["errors"]["why"]
    assert "prompt_text" not in _draft(store) and not _changes(engine)  # nothing stored

    reply = submit(bot, view, {**given, "why": WHY}, OWNER)
    assert reply.body["response_action"] == "update", reply.body
    said = json.dumps(reply.body["view"], ensure_ascii=False)
    assert "step draft prompt text added (3 lines)" in said and "step draft rubric text added (2 lines)" in said
    deliver(engine, slack, clock)


def test_the_kit_form_saves_the_texts_with_their_why_and_the_api_and_the_assistant_read_them(
    bot, slack, store, engine, clock, playbook
):
    saved(bot, slack, store, engine, clock)
    draft = _draft(store)
    assert (draft["prompt_text"], draft["rubric_text"]) == (PROMPT, RUBRIC)  # as typed, `\r\n` as `\n`
    assert all(
        key not in s
        for s in store.playbooks.state("support-replies").playbook.definition["steps"][1:]
        for key in step_texts.TEXT_FIELDS
    )
    [change] = _changes(engine)
    assert change.actor == OWNER and change.figures["why"] == WHY
    assert "step draft prompt text added (3 lines)" in change.figures["changes"]
    assert PROMPT not in change.summary  # the words say the change in lines, never the text
    found = step_texts.revisions(store.calibrations.revision_rows(playbook.playbook.id))
    assert [(r.step, r.key, r.by, r.why, r.before, r.after) for r in found] == [
        ("draft", "prompt_text", OWNER, WHY, None, PROMPT),
        ("draft", "rubric_text", OWNER, WHY, None, RUBRIC),
    ]

    again = open_kit(bot, slack)  # opened again: filled in
    assert (shown(again)["prompt_text:draft"], shown(again)["rubric_text:draft"]) == (PROMPT, RUBRIC)
    same = submit(bot, again, shown(again), OWNER)  # nothing changed: no why asked, no revision
    assert same.body["response_action"] == "update", same.body
    assert len(_changes(engine)) == 1

    reader = tokens.create(store, "assistant", None, [], True, "test", clock())
    status, body = get(bot.base_url, "/api/v1/playbooks/support-replies", reader.token)
    assert status == 200, body
    described("GET", "/api/v1/playbooks/{slug}", 200, body)
    texts = {s["name"]: {k: s.get(k) for k in step_texts.TEXT_FIELDS} for s in body["definition"]["steps"]}
    assert texts == {
        "draft": {"prompt_text": PROMPT, "rubric_text": RUBRIC},
        "send": {"prompt_text": None, "rubric_text": None},
        "refunds": {"prompt_text": None, "rubric_text": None},
    }

    async def session():
        async with http_client(bot.base_url, reader.token, clock) as client:
            return await client.call_tool("playbook", {"slug": "support-replies"})

    result = anyio.run(session)
    assert not result.is_error, result.content
    assert result.structured_content["definition"] == body["definition"]
    assert json.loads(result.content[0].text)["definition"]["steps"][0]["prompt_text"] == PROMPT


def test_export_writes_the_texts_and_loading_its_file_back_changes_nothing(
    bot, slack, store, engine, clock, playbook, run, tmp_path
):
    saved(bot, slack, store, engine, clock)
    exported = run("playbook", "export", "support-replies")
    assert exported.exit_code == 0, exported.output
    assert "rubric_text: |-\n    Tone: plain and kind.\n    Accuracy: the policy as written.\n" in exported.stdout
    assert 'prompt_text: "You draft the reply' in exported.stdout  # a tab in it: written quoted, as documented
    [document] = yaml.safe_load_all(exported.stdout)
    [draft] = [s for s in document["steps"] if s["name"] == "draft"]
    assert (draft["prompt_text"], draft["rubric_text"]) == (PROMPT, RUBRIC)

    path = tmp_path / "support-replies.yaml"
    path.write_text(exported.stdout)
    before = store.playbooks.state("support-replies").playbook.definition
    changes = len(_changes(engine))
    again = run("playbook", "load", str(path))
    assert again.exit_code == 0, again.output
    assert again.stdout == "support-replies: unchanged\n"
    assert store.playbooks.state("support-replies").playbook.definition == before
    assert len(_changes(engine)) == changes
    assert run("playbook", "export", "support-replies").stdout == exported.stdout


def test_a_version_published_then_adopted_carries_the_texts_to_the_adopting_team(
    bot, slack, store, engine, clock, playbook
):
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    for user in (OWNER, CURATOR):
        slack.add_user(user, tz="Europe/Berlin")
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    saved(bot, slack, store, engine, clock)

    published = publish_over(bot, store, "publish support-replies override sharing the prompt early")
    assert "support-replies v1" in published, published
    with Session(engine) as s:
        version = s.exec(select(RegistryVersion)).one()
    assert version.definition["steps"][0]["prompt_text"] == PROMPT
    assert version.definition["steps"][0]["rubric_text"] == RUBRIC

    slack.add_channel(SALES, [SALES_OWNER])
    slack.add_user(SALES_OWNER)
    adopted = bot.command(f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}>", user=CURATOR).text
    assert "*support-replies-sales* now runs in" in adopted, adopted
    draft = _draft(store, "support-replies-sales")
    assert (draft["prompt_text"], draft["rubric_text"]) == (PROMPT, RUBRIC)
    view = open_kit(bot, slack, "support-replies-sales", user=SALES_OWNER)  # its own kit form, filled in
    assert (shown(view)["prompt_text:draft"], shown(view)["rubric_text:draft"]) == (PROMPT, RUBRIC)
