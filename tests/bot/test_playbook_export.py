"""`rollout playbook export`: YAML that `rollout playbook load` takes back unchanged."""

import copy
from pathlib import Path

import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import Decision
from tests.bot.test_web_view import fetch, web_session
from tests.conftest import MEMBER, SUPPORT_REPLIES

ROOT = Path(__file__).resolve().parents[2]


def _decisions(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Decision)).one()


def test_load_of_export_changes_nothing_for_every_example(run, engine, monkeypatch, tmp_path):
    """Every file in examples/ (the demo's playbooks among them), loaded, exported, and
    loaded back: unchanged, no decision recorded, and the export of the export the same."""
    for variable in ("PROM_TOKEN", "CI_TOKEN"):
        monkeypatch.setenv(variable, "a-token")
    monkeypatch.setenv("WAREHOUSE_URL", "postgresql+psycopg://reader:secret@warehouse/support")
    files = sorted(str(p) for p in (ROOT / "examples").iterdir())
    assert run("playbook", "load", *files).exit_code == 0
    decisions = _decisions(engine)

    exported = run("playbook", "export", "--all")
    assert exported.exit_code == 0, exported.output
    path = tmp_path / "all.yaml"
    path.write_text(exported.stdout)
    again = run("playbook", "load", str(path))
    assert again.exit_code == 0, again.output
    assert sorted(again.stdout.splitlines()) == sorted(f"{Path(f).stem}: unchanged" for f in files)
    assert _decisions(engine) == decisions
    assert run("playbook", "export", "--all").stdout == exported.stdout
    # each example's definition is the one exported
    for file in files:
        for document in yaml.safe_load_all(Path(file).read_text()):
            slug = document["playbook"]
            one = run("playbook", "export", slug).stdout
            assert parse_playbook(yaml.safe_load(one)).canonical() == parse_playbook(document).canonical()


def test_export_leaves_defaults_out_and_names_slugs_it_does_not_know(run, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(SUPPORT_REPLIES, sort_keys=False))
    run("playbook", "load", str(path))
    shown = run("playbook", "export", "support-replies").stdout
    assert shown.startswith("# Playbooks as code")
    assert "min_cases" not in shown and "rules" not in shown  # the defaults are not repeated
    assert "playbook: support-replies\n" in shown

    unknown = run("playbook", "export", "support-replys")
    assert unknown.exit_code == 1
    assert "no playbook “support-replys”" in unknown.output
    assert run("playbook", "export").exit_code == 2  # neither slugs nor --all
    assert run("playbook", "export", "support-replies", "--all").exit_code == 2


def test_export_after_a_handover_keeps_the_definition_and_says_who_owns_it(run, tmp_path, store, engine, clock):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(SUPPORT_REPLIES, sort_keys=False))
    run("playbook", "load", str(path))
    state = store.playbooks.state("support-replies")
    with Session(engine) as s:
        from storage.models.playbooks import Playbook

        row = s.get(Playbook, state.playbook.id)
        row.owner_id = "UNEWOWNER1"
        s.add(row)
        s.commit()
    shown = run("playbook", "export", "support-replies").stdout
    assert "its owner is UNEWOWNER1 now" in shown
    (tmp_path / "back.yaml").write_text(shown)
    assert run("playbook", "load", str(tmp_path / "back.yaml")).stdout == "support-replies: unchanged\n"


def test_the_playbook_page_offers_its_yaml_which_playbook_load_takes_back(
    bot, playbook, http_server, database_url, slack, store, clock
):
    """As code, both ways: the page's download is `rollout playbook export`'s
    text, for anyone who may see the page, and nobody else."""
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, MEMBER)
    base = url + "/web/playbooks/support-replies"
    status, headers, _ = fetch(base + ".yaml")
    assert (status, headers["Location"]) == (303, "/web/signin")
    _, _, page = fetch(base, cookie)
    assert 'href="/web/playbooks/support-replies.yaml"' in page
    status, headers, text = fetch(base + ".yaml", cookie)
    assert status == 200 and headers["Content-Type"] == "application/yaml; charset=utf-8"
    assert headers["Content-Disposition"] == "attachment; filename=support-replies.yaml"
    assert (
        parse_playbook(yaml.safe_load(text)).canonical() == parse_playbook(copy.deepcopy(SUPPORT_REPLIES)).canonical()
    )
    assert fetch(url + "/web/playbooks/nope.yaml", cookie)[0] == 404
