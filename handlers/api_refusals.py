"""What the reporting API (handlers/api.py) answers when it refuses (docs/api.md): its
refusals' words, `Refused` and the one way each refusal is answered (the routes' and the use
cases' alike), what the document says of them, and a report's problems in words (a value
of the wrong type: what the field is and what was sent)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from handlers.api_models import MAX_EVENT_COUNT, Error, ProblemOut, Problems, given
from usecases import api_reads, api_reports, arms

RATE_PER_SECOND = api_reports.RATE_PER_SECOND
NO_TOKEN = "a valid token is needed: Authorization: Bearer <token>"
TOO_MANY = f"at most {RATE_PER_SECOND} requests a second per token"
NOT_JSON = "send the body as JSON: Content-Type: application/json"
NOT_UTF8 = "send JSON in UTF-8: Content-Type: application/json, with no other charset"


class Refused(Exception):
    """An answer other than the operation's own: its status, its body, its headers."""

    def __init__(self, status: int, body: BaseModel, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _error(status: int, message: str, **headers: str) -> Refused:
    return Refused(status, Error(error=message), headers)


def _refusal_described(description: str, **headers: str) -> dict[str, Any]:
    """What the document says of a refusal: what it means, its body an Error, its headers' types."""
    described = {name: {"schema": {"type": kind}} for name, kind in headers.items()}
    return {"model": Error, "description": description, **({"headers": described} if headers else {})}


TOKEN_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: _refusal_described("No valid token"),
    429: _refusal_described(f"Over {RATE_PER_SECOND} requests a second for this token", **{"Retry-After": "integer"}),
}
READ_REFUSALS = {
    **TOKEN_REFUSALS,
    403: _refusal_described("The token may not read"),
    404: _refusal_described("No such playbook in the token's scope"),
}


# What is answered with a refusal of the API's own: the routes', and the use cases'.
REFUSALS = (
    Refused,
    api_reports.Forbidden,
    api_reports.Invalid,
    api_reads.NotReadable,
    api_reads.NotFound,
    api_reads.Unfit,
    arms.NoHoldout,
    arms.CaseRefused,
    Exception,  # a fault: 500 (Starlette logs it, and answers with this)
)


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    """The one way a refusal is answered: its status, `{"error": ...}` or `{"errors": [...]}`, its headers."""
    refused = _refusal(exc)
    return JSONResponse(refused.body.model_dump(mode="json"), refused.status, refused.headers)


def _refusal(exc: Exception) -> Refused:
    match exc:
        case Refused():
            return exc
        case api_reports.Forbidden():
            return _error(403, f"reports[{exc.index}]: {exc.message}")
        case api_reports.Invalid():
            problems = [ProblemOut(index=p.index, field=p.field, message=p.message) for p in exc.problems]
            return Refused(422, Problems(errors=problems))
        case api_reads.NotReadable():
            return _error(403, str(exc))
        case api_reads.NotFound():
            return _error(404, str(exc))
        case api_reads.Unfit():
            return _error(422, str(exc))
        case arms.NoHoldout():
            return _error(409, str(exc))
        case arms.CaseRefused():
            return _error(422, str(exc))
    return _error(500, "the server failed to answer this request")


# What each field is, for a value of the wrong JSON type: "count is a whole number ..., not 1.0".
EXPECTED = {
    "count": f"a whole number from 1 to {MAX_EVENT_COUNT:,}",
    "value": "a number",
    "at": 'an instant in ISO 8601 with its offset ("2027-01-08T09:00:00Z")',
    "kind": "one of kpi, guardrail, cases, rubric, exception, event",
    **{name: "text" for name in ("playbook", "step", "reason", "event", "key")},
}
WRONG_TYPE = {
    "int_type",
    "int_parsing",
    "int_from_float",
    "float_type",
    "float_parsing",
    "string_type",
    "datetime_type",
    "datetime_parsing",
    "datetime_from_date_parsing",
    "timezone_aware",
    "literal_error",
    "greater_than_equal",  # count's 1 to 10,000
    "less_than_equal",
}


def _problems(err: ValidationError, document: Any) -> list[ProblemOut]:
    """pydantic's errors as the API's: the report's index and the field, and for a value of
    the wrong type what the field is and what was sent, in words."""
    batch = isinstance(document, dict) and "reports" in document
    problems = []
    for e in err.errors():
        loc = list(e["loc"])
        index: int | None = 0 if not batch else None
        if batch and len(loc) >= 2 and loc[0] == "reports" and isinstance(loc[1], int):
            index, loc = loc[1], loc[2:]
        names = [str(part) for part in loc if isinstance(part, str)]
        field = names[0] if names else "body"
        message = e["msg"].removeprefix("Value error, ")
        if len(loc) == 1 and field in EXPECTED and e["type"] in WRONG_TYPE:
            message = f"{field} is {EXPECTED[field]}, not {given(e['input'])}"
        problems.append(ProblemOut(index=index, field=field, message=message))
    return problems
