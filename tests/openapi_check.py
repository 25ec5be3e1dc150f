"""An answer of the API checked against the OpenAPI document it serves: the schema of the
operation's answer for that status, with every `$ref` resolved in the document itself.
The read models forbid undescribed fields, so a field the API sends that the document
lacks fails here, as does a described field the answer lacks."""

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from handlers.api import openapi


def described(method: str, path: str, status: int, body: Any) -> None:
    """Raise jsonschema's ValidationError unless `body` is what the document says
    `method path` answers with `status` (path as the document writes it: /api/v1/...)."""
    document = openapi()
    answer = document["paths"][path][method.lower()]["responses"][str(status)]
    schema = answer["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": document["components"]}, format_checker=FormatChecker()).validate(
        body
    )
