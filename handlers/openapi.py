"""An OpenAPI 3.1 document derived from a route table (handlers/routing.py) whose handlers
are `Operation`s: each route's path and its parameters' patterns from the table, its
summary and answers from its Operation, and the schemas from the pydantic models the
operations name (pydantic's JSON Schema is the 2020-12 dialect OpenAPI 3.1 uses). The
document says what the server checks, because the same models check it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from handlers.routing import PARAMETERS, Routes


@dataclass(frozen=True)
class Answer:
    """One status an operation answers with: what it means, and its body's model (None:
    a JSON object the model does not describe further)."""

    description: str
    model: type[BaseModel] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # a header's name: its JSON type


@dataclass(frozen=True)
class Operation:
    """A route's handler (`run`) and what the document says of it."""

    run: Callable[..., Iterable[bytes]]
    id: str  # the document's operationId
    summary: str
    answers: Mapping[int, Answer]
    body: tuple[type[BaseModel], ...] = ()  # the request body: one of these models
    secured: bool = True  # needs the security scheme (and then also answers `secured_answers`)


def document(
    routes: Routes[Operation],
    info: dict[str, Any],
    scheme: dict[str, Any],
    secured_answers: Mapping[int, Answer],
) -> dict[str, Any]:
    """The document of `routes`. `scheme`: the one security scheme; `secured_answers`:
    what every operation that needs it may also answer (no valid credential, ...)."""
    models: list[type[BaseModel]] = []
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        op = route.handler
        answers = {**op.answers, **(secured_answers if op.secured else {})}
        models += [*op.body, *(a.model for a in answers.values() if a.model is not None)]
        operation: dict[str, Any] = {
            "operationId": op.id,
            "summary": op.summary,
            "security": [{"token": []}] if op.secured else [],
        }
        if route.parameters:
            operation["parameters"] = [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": PARAMETERS[name].description,
                    "schema": {"type": "string", "pattern": f"^{PARAMETERS[name].pattern}$"},
                }
                for name in route.parameters
            ]
        if op.body:
            refs = [_ref(model) for model in op.body]
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[0] if len(refs) == 1 else {"oneOf": refs}}},
            }
        operation["responses"] = {str(status): _answer(answers[status]) for status in sorted(answers)}
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": info,
        "paths": paths,
        "components": {"schemas": _schemas(models), "securitySchemes": {"token": scheme}},
    }


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _answer(answer: Answer) -> dict[str, Any]:
    described: dict[str, Any] = {"description": answer.description}
    if answer.headers:
        described["headers"] = {name: {"schema": {"type": kind}} for name, kind in answer.headers.items()}
    schema = _ref(answer.model) if answer.model is not None else {"type": "object"}
    described["content"] = {"application/json": {"schema": schema}}
    return described


def _schemas(models: list[type[BaseModel]]) -> dict[str, Any]:
    """Each model's JSON Schema, and those of the models it is made of, by name."""
    schemas: dict[str, Any] = {}
    for model in dict.fromkeys(models):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas
