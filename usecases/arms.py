"""The holdout's assignment (cadence/arms.py) for `GET /api/v1/playbooks/{slug}/arm` and
`rollout arm`: a read of the playbook's `compare`, then the hash; nothing is written for
an answer (the API's token and rate are every call's)."""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

from cadence import arms
from cadence.definition_compare import SETTING, Compare
from storage.models.access import ApiToken
from storage.store import Store
from usecases.api_reads import NotFound
from usecases.shared.services import Services

# A playbook's `compare`, as last read, kept a second per process and store: the answer
# needs only the share, and reading the playbook for every case would cost far more than
# the hash (bench/arms.py). A changed share holds within that second, in every process.
FRESH_FOR = 1.0
_Read = tuple[float, bool, "Compare | None"]  # when read (monotonic), the playbook exists, its compare
_READ: weakref.WeakKeyDictionary[Store, dict[str, _Read]] = weakref.WeakKeyDictionary()


class NoHoldout(Exception):
    """The playbook holds no cases out (409): its KPI has no `compare: {rest: holdout}`."""


class CaseRefused(Exception):
    """No case id, or one too long (422)."""


@dataclass(frozen=True)
class Assigned:
    playbook: str
    case: str
    arm: arms.Arm
    share: float


def assign(store: Store, slug: str, case_id: str | None) -> Assigned:
    """The case's arm in the playbook `slug`. Raises CaseRefused, NotFound, NoHoldout."""
    problem = arms.case_problem(case_id)
    if problem is not None or case_id is None:
        raise CaseRefused(problem)
    exists, compared = _compare_of(store, slug)
    if not exists:
        raise NotFound(f"no playbook {slug}")
    if compared is None or compared.holdout_share is None:
        how = "compares with the rest it reports, holding nothing out" if compared else "is not compared with the rest"
        raise NoHoldout(
            f"{slug} {how}: its KPI needs `{SETTING}: {{rest: holdout, share: 0.1}}` for the bot to assign cases"
        )
    share = compared.holdout_share
    return Assigned(slug, case_id, arms.arm(slug, case_id, share), share)


def _compare_of(store: Store, slug: str) -> tuple[bool, Compare | None]:
    """Whether the playbook exists, and its `compare`: read at most once a second (FRESH_FOR)."""
    now = time.monotonic()
    known = _READ.setdefault(store, {})
    read = known.get(slug)
    if read is None or now - read[0] > FRESH_FOR:
        with store.reading() as reads:
            state = reads.playbooks.state(slug)
        if state is None:  # not kept: only the playbooks that exist are (a bounded number)
            return False, None
        read = (now, True, Compare.of(state.playbook.definition))
        known[slug] = read
    return read[1], read[2]


def api_assign(services: Services, token: ApiToken, slug: str, case_id: str | None) -> Assigned:
    """As `assign`, for a token: a playbook outside its scope is not found."""
    if token.playbooks is not None and slug not in token.playbooks:
        problem = arms.case_problem(case_id)
        if problem is not None:
            raise CaseRefused(problem)
        raise NotFound(f"no playbook {slug}")
    return assign(services.store, slug, case_id)
