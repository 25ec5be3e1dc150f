"""The value measure's section (docs/usage.md, "The value measure"; usecases/value.py):
each playbook's hours saved, its cost per hour and its net, on status, the web page and its
CSV, the API, the web overview's lines; the org's, in the digest's header and the overview."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from cadence.state import PlaybookState
from templates import tables
from templates.tables import Column, Table
from templates.web_charts import hours_chart
from usecases import org_value
from usecases import value as worth
from usecases.org_value import OrgValue
from usecases.sections.base import (
    ApiPart,
    Chart,
    DigestOrgPart,
    OverviewOrgPart,
    OverviewPart,
    PagePart,
    Reading,
    StatusPart,
)
from usecases.shared import licenses
from usecases.shared.caller import Caller
from usecases.value import PlaybookValue


class ValueStatus(TypedDict):
    value: str


class ValueOrgWeek(TypedDict):
    """The digest header's cadence.digest.OrgWeek fields of the org's value."""

    value_measured: int
    hours_saved: float | None
    cost_per_hour: float | None
    no_cost_per_hour: str | None
    cost_left_out: str | None
    currency: str
    net_hours: float | None
    oversight_hours: float | None
    cost_per_net_hour: float | None
    net_value: float | None
    net_said: str


class ValuePage(TypedDict):
    value: PlaybookValue | None
    value_words: str


class ValueApi(TypedDict):
    value: dict[str, object] | None  # PlaybookValue.as_data(), with `said`


class ValueLine(TypedDict):
    value: str
    hours: float | None


class ValueOrg(TypedDict):
    value: OrgValue


class ValueSection(
    StatusPart[PlaybookValue | None, ValueStatus],
    DigestOrgPart,
    PagePart[PlaybookValue | None, ValuePage],
    ApiPart[PlaybookValue | None, ValueApi],
    OverviewPart[PlaybookValue | None, ValueLine],
    OverviewOrgPart[PlaybookValue | None, ValueOrg],
):
    name = "value"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, PlaybookValue | None]:
        services = caller.services
        return worth.of_states(caller.store, states, services.currency, services.hourly_rate)

    def status_words(self, state: PlaybookState, model: PlaybookValue | None) -> ValueStatus:
        return ValueStatus(value=worth.status_words(state.spec, model))

    def digest_org(self, reading: Reading, active: list[PlaybookState]) -> ValueOrgWeek:
        """The org's value over every active playbook: the header's figures."""
        measures = worth.of_playbooks(reading.store, active, reading.currency, rate=reading.hourly_rate)
        saved = org_value.of_org(measures, reading.currency, licenses.idle_of(reading.store, reading.now))
        return ValueOrgWeek(
            value_measured=saved.measured,
            hours_saved=saved.last_hours,
            cost_per_hour=saved.cost_per_hour,
            no_cost_per_hour=saved.no_cost_per_hour,
            cost_left_out=saved.cost_left_out,
            currency=reading.currency,
            net_hours=saved.net_hours,
            oversight_hours=saved.oversight_hours,
            cost_per_net_hour=saved.cost_per_net_hour,
            net_value=saved.net_value,
            net_said=saved.net_words,
        )

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, PlaybookValue | None]:
        return worth.of_states(reading.store, states, reading.currency, reading.hourly_rate)

    def page_words(self, state: PlaybookState, model: PlaybookValue | None) -> ValuePage:
        return ValuePage(value=model, value_words=worth.status_words(state.spec, model))

    def api(self, reading: Reading, states: list[PlaybookState]) -> dict[int, PlaybookValue | None]:
        return worth.of_states(reading.store, states, reading.currency, reading.hourly_rate)

    def api_fields(self, state: PlaybookState, model: PlaybookValue | None) -> ValueApi:
        # each closed week's hours saved, an estimate with its inputs (null: no value measure)
        return ValueApi(value=None if model is None else dict(model.as_data(), said=worth.words(model)))

    def overview(self, reading: Reading, states: list[PlaybookState]) -> dict[int, PlaybookValue | None]:
        return worth.of_playbooks(reading.store, states, reading.currency, rate=reading.hourly_rate)

    def overview_line(self, state: PlaybookState, model: PlaybookValue | None) -> ValueLine:
        return ValueLine(value=worth.words(model), hours=getattr(model, "last_hours", None))

    def overview_org(self, reading: Reading, models: dict[int, PlaybookValue | None]) -> ValueOrg:
        """The value the sponsor can weigh, over every playbook listed."""
        return ValueOrg(value=org_value.of_org(models, reading.currency, licenses.idle_of(reading.store, reading.now)))

    def overview_columns(self, org: ValueOrg) -> list[Column]:
        return tables.value_columns()

    def overview_tables(self, org: ValueOrg) -> dict[str, Table]:
        return dict(value=tables.org_value_table(org["value"].weeks))

    def overview_charts(self, org: ValueOrg) -> dict[str, Chart]:
        """The org's hours saved, week by week."""
        saved = org["value"].weeks
        return dict(
            hours_chart=hours_chart([w["week"].strftime("%d %b %y") for w in saved], [w["hours"] for w in saved])
        )

    def page_tables(self, words: ValuePage, people: Mapping[str, str]) -> dict[str, Table]:
        value = words.get("value")
        return dict(value=tables.value_weeks_table(value.weeks if value else []))


SECTION = ValueSection()
