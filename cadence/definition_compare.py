"""`compare` on a playbook's KPI (docs/playbooks.md, "Compared with the rest"): the KPI
is reported for the work run through the playbook and for the rest of the same work, in
the same weeks, and its verdict judges the difference. Optionally the bot holds out a
share of the cases itself (`compare: {rest: holdout, share: 0.1}`, cadence/arms.py).

The schema here; the plain reading of a stored definition (`Compare.of`) for every
other layer, which never sees pydantic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from cadence.definition_parts import Strict

SETTING = "kpi.compare"  # what a refusal names


class HoldoutSpec(Strict):
    """The bot assigns each case to the run or to the holdout; `share` of cases held out."""

    rest: Literal["holdout"]
    share: float = Field(gt=0, lt=1, allow_inf_nan=False)


CompareSpec = Literal["rest"] | HoldoutSpec


def check_kpi(compare: CompareSpec | None, rest_baseline: float | None, from_: Any) -> None:
    """The KPI's own compare settings agree: a rest baseline or a rest query needs
    `compare`. Raises ValueError naming the setting."""
    if compare is not None:
        return
    if rest_baseline is not None:
        raise ValueError(f"rest_baseline is the rest's baseline: it needs '{SETTING}: rest' on the KPI")
    if from_ is not None and (from_.rest_query is not None or from_.rest_path is not None):
        raise ValueError(f"a from with rest_query or rest_path needs '{SETTING}: rest' on the KPI")


@dataclass(frozen=True)
class Compare:
    """A stored definition's `compare`, read: plain data."""

    holdout_share: float | None  # None: the rest is reported, not assigned by the bot
    rest_baseline: float | None

    @property
    def holdout(self) -> bool:
        return self.holdout_share is not None

    @staticmethod
    def of(definition: Mapping[str, Any]) -> Compare | None:
        """The playbook's `compare`, or None (a playbook without it)."""
        kpi = definition.get("kpi")
        if not isinstance(kpi, Mapping):
            return None
        given = kpi.get("compare")
        if given is None:
            return None
        share = given.get("share") if isinstance(given, Mapping) else None
        rest_baseline = kpi.get("rest_baseline")
        return Compare(
            float(share) if share is not None else None,
            float(rest_baseline) if rest_baseline is not None else None,
        )
