"""Setup time's reads: one playbook's (status, one statement) is what the read of every
playbook (the web overview) gives it, whichever way it was asked for: in Slack, by an
approved request, by an adopt, or by nobody (loaded from a file)."""

from datetime import timedelta

from sqlmodel import Session

from cadence.definition_load import parse_playbook
from storage.made import SetupTime
from storage.models.bookkeeping import CadenceJob
from storage.models.governance import AdoptionRequest, RegistryVersion
from storage.models.playbooks import Playbook
from tests.committed import loaded
from tests.conftest import SUPPORT_REPLIES


def test_one_playbooks_setup_time_is_the_one_every_playbooks_read_gives_it(store, engine, clock):
    start, hour, day = clock(), timedelta(hours=1), timedelta(days=1)
    for n, (slug, actor) in enumerate(
        [("from-file", "file:x.yaml"), ("made-here", "UMAKER0001"), ("requested", "file:y.yaml"), ("adopted", "cli")]
    ):
        loaded(store, [parse_playbook({**SUPPORT_REPLIES, "playbook": slug})], "UTC", actor, start + n * hour)
    ids = {slug: store.playbooks.state(slug).playbook.id for slug in ("from-file", "made-here", "requested", "adopted")}
    with Session(engine) as s:
        version = RegistryVersion(
            playbook_id=ids["from-file"],
            version=1,
            slug="from-file",
            function="Support",
            definition={},
            cycle_results=[],
            scale_rule_held=False,
            published_by="UCURATOR1",
            published_at=start,
        )
        s.add(version)
        s.flush()
        s.get_one(Playbook, ids["adopted"]).adopted_from_id = version.id
        for slug, status, at in [("requested", "approved", start - 2 * day), ("made-here", "pending", start - day)]:
            s.add(
                AdoptionRequest(
                    version_id=version.id,
                    channel_id=f"C{slug.upper()[:8]}",
                    requester_id="UASKER0001",
                    champion_id="UASKER0001",
                    answers={},
                    card_key=f"card:{slug}",
                    status=status,
                    adopted_slug=slug,
                    created_at=at,
                )
            )
        jobs = [
            ("made-here", "nudge", "done", 2 * day),
            ("made-here", "nudge", "done", day),  # the first nudge, recorded after the other's row
            ("made-here", "close", "skipped", 3 * day),  # skipped: no week closed
            ("requested", "close", "done", 5 * day),
            ("from-file", "nudge", "done", day),
        ]
        for n, (slug, kind, status, after) in enumerate(jobs):
            s.add(
                CadenceJob(
                    key=f"job:{n}",
                    kind=kind,
                    playbook_id=ids[slug],
                    due_at=start + after,
                    status=status,
                    recorded_at=start + after,
                )
            )
        s.commit()
    every = store.made.setup_times()
    expected = {
        "from-file": SetupTime(ids["from-file"], None, start + day, None),
        "made-here": SetupTime(ids["made-here"], start + hour, start + day, None),
        "requested": SetupTime(ids["requested"], start - 2 * day, None, start + 5 * day),
        "adopted": SetupTime(ids["adopted"], start + 3 * hour, None, None),
    }
    for slug, pid in ids.items():
        one = store.made.setup_time(store.playbooks.state(slug).playbook)
        assert one == every[pid] == expected[slug], slug
