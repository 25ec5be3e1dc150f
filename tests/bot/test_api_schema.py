"""The reporting API against its own OpenAPI document, by Schemathesis: generated
requests (bounded, to keep the suite quick) to the live server, on SQLite and PostgreSQL;
no answer is a server error, and every answer is one the document describes."""

from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from pydantic import TypeAdapter
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from handlers.api import openapi
from handlers.api_models import Batch, Report
from usecases import tokens

SCHEMA = schemathesis.openapi.from_dict(openapi())
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def bearer(bot, playbook, store, clock):
    clock.set(NOW)
    return tokens.create(store, "schemathesis", None, list(tokens.REPORT_KINDS), True, "test", NOW).token


@SCHEMA.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_answer_is_one_the_document_describes(case, bot, bearer, clock):
    clock.set(clock() + timedelta(seconds=1))  # each case in a second of its own: past the rate, all would be 429
    case.call_and_validate(
        base_url=bot.base_url,
        headers={"Authorization": f"Bearer {bearer}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )


def test_the_documents_report_body_is_the_models_that_read_it():
    """The request body of `POST /api/v1/reports`, which the API reads itself (its token
    and rate first), is described by pydantic from the models that validate it, not by hand."""
    document = openapi()
    model = TypeAdapter(Report | Batch).json_schema(ref_template="#/components/schemas/{model}")
    components = model.pop("$defs")
    described = document["paths"]["/api/v1/reports"]["post"]["requestBody"]
    assert described == {"required": True, "content": {"application/json": {"schema": model}}}
    assert {name: document["components"]["schemas"][name] for name in components} == components


def test_the_documents_408_says_the_seconds_a_body_has():
    """A slow client's body is refused with 408 (bot/body_limits.py): the document says how
    long a body has, as BodyLimits counts it."""
    from bot.body_limits import READ_SECONDS

    said = openapi()["paths"]["/api/v1/reports"]["post"]["responses"]["408"]["description"]
    assert f"within {READ_SECONDS:g} s" in said
