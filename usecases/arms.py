"""The holdout's assignment (cadence/arms.py) for `GET /api/v1/playbooks/{slug}/arm` and
`rollout arm`: a read of the playbook's `compare`, then the hash; nothing is written for
an answer (the API's token and rate are every call's)."""

from __future__ import annotations

from dataclasses import dataclass

from cadence import arms
from cadence.definition_compare import SETTING, Compare
from storage.models.access import ApiToken
from storage.store import Store
from templates.refusals import Refusal, plain
from usecases.api_reads import NotFound
from usecases.shared.services import Services


class NoHoldout(Exception):
    """The playbook holds no cases out (409): its KPI has no `compare: {rest: holdout}`.
    Its words are `refusal`'s (templates/refusals.py), plainly: the API's and the command
    line's."""

    def __init__(self, refusal: Refusal):
        super().__init__(plain(refusal))
        self.refusal = refusal


class CaseRefused(Exception):
    """No case id, or one too long (422), in `refusal`'s words, plainly."""

    def __init__(self, refusal: Refusal):
        super().__init__(plain(refusal))
        self.refusal = refusal


def _check_case(case_id: str | None) -> str:
    """The case id, or CaseRefused saying what is wrong with it (cadence/arms.py)."""
    fault = arms.case_fault(case_id)
    if fault == "missing" or case_id is None:
        raise CaseRefused(Refusal.of("arm_case_missing", most=arms.MAX_CASE_CHARS))
    if fault == "too_long":
        raise CaseRefused(Refusal.of("arm_case_too_long", most=arms.MAX_CASE_CHARS, length=len(case_id)))
    return case_id


@dataclass(frozen=True)
class Assigned:
    playbook: str
    case: str
    arm: arms.Arm
    share: float


def assign(store: Store, slug: str, case_id: str | None) -> Assigned:
    """The case's arm in the playbook `slug`. Raises CaseRefused, NotFound, NoHoldout."""
    case_id = _check_case(case_id)
    exists, compared = _compare_of(store, slug)
    if not exists:
        raise NotFound(f"no playbook {slug}")
    if compared is None:
        raise NoHoldout(Refusal.of("arm_not_compared", slug=slug, setting=SETTING))
    if compared.holdout_share is None:
        raise NoHoldout(Refusal.of("arm_holds_nothing_out", slug=slug, setting=SETTING))
    share = compared.holdout_share
    return Assigned(slug, case_id, arms.arm(slug, case_id, share), share)


def _compare_of(store: Store, slug: str) -> tuple[bool, Compare | None]:
    """Whether the playbook exists, and its `compare`: one row read by its unique slug."""
    definition = store.playbooks.definition(slug)
    if definition is None:
        return False, None
    return True, Compare.of(definition)


def api_assign(services: Services, token: ApiToken, slug: str, case_id: str | None) -> Assigned:
    """As `assign`, for a token: a playbook outside its scope is not found."""
    if token.playbooks is not None and slug not in token.playbooks:
        _check_case(case_id)
        raise NotFound(f"no playbook {slug}")
    return assign(services.store, slug, case_id)
