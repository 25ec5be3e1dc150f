"""The API's and the assistant's readiness read, `GET /api/v1/playbooks/<slug>/readiness`
and the `readiness` tool: readiness's own endpoint (usecases/shared/readiness.py), beside
the playbook read (usecases/api_reads.py), which shows it as a section."""

from __future__ import annotations

from typing import Any

from usecases.api_reads import Reader, may_read, readable_state
from usecases.shared import readiness
from usecases.shared.services import Services


def judged_readiness(services: Services, token: Reader, slug: str) -> dict[str, Any]:
    """The latest judgement of "ready to scale" (a scale proposal, "not yet ready" or a
    publish), each criterion with the numbers it was judged on, and the exception queue
    judged as it stands now, as the web view shows it and a publish would judge it; None
    before the scale rule first held."""
    may_read(services, token)
    with services.store.reading() as store:
        state = readable_state(store, token, slug)
        judged = readiness.judged_now(
            store, state, store.governance.history(state.playbook.id, None, 100), services.clock()
        )
    shown = None if judged is None else dict(judged, at=judged["at"].isoformat())
    return dict(playbook=slug, status=state.playbook.status, readiness=shown)
