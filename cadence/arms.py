"""Which arm a case is in, for a KPI compared with a holdout (`compare: {rest: holdout,
share: 0.1}`; docs/playbooks.md): the same answer for the same case forever, from the
playbook's slug and the case id alone, as GrowthBook's hashing v2 assigns:

    holdout when fnv1a32(str(fnv1a32(slug + case_id))) % 10000 < share × 10000

with 32-bit FNV-1a over the UTF-8 bytes. Pure: nothing is stored per case."""

from __future__ import annotations

from typing import Literal

MAX_CASE_CHARS = 200  # a case id: any string of 1 to 200 characters
FNV_OFFSET, FNV_PRIME, MASK = 0x811C9DC5, 0x01000193, 0xFFFFFFFF
BUCKETS = 10_000

Arm = Literal["run", "holdout"]


def fnv1a32(text: str) -> int:
    """32-bit FNV-1a of `text`'s UTF-8 bytes."""
    h = FNV_OFFSET
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * FNV_PRIME) & MASK
    return h


def bucket(slug: str, case_id: str) -> int:
    """The case's bucket, 0 to 9,999: hashed twice, as GrowthBook's v2."""
    return fnv1a32(str(fnv1a32(slug + case_id))) % BUCKETS


def arm(slug: str, case_id: str, share: float) -> Arm:
    """`holdout` for about `share` of cases, `run` for the rest."""
    return "holdout" if bucket(slug, case_id) < share * BUCKETS else "run"


CaseFault = Literal["missing", "too_long"]


def case_fault(case_id: str | None) -> CaseFault | None:
    """What is wrong with a case id (none given; longer than MAX_CASE_CHARS), or None.
    Its words are the catalogue's (templates/refusals.py, `arm_case_*`)."""
    if not case_id:
        return "missing"
    if len(case_id) > MAX_CASE_CHARS:
        return "too_long"
    return None
