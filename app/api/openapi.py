"""The OpenAPI 3.1 description of API v1, generated: bodies from the pydantic models (app/api/schemas.py,
through pydantic's JSON Schema), operations from the routes themselves (each declares its summary,
parameters and answers with @operation beside its code), security and 401/403 from its access rule.
A test checks every API route is in it, and the schemathesis and conformance tests check real answers
against it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.api import schemas
from app.web.access import ALL_STAFF

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, tuple[Any, str]]  # status -> (a model, or a JSON Schema dict; description)
    body: type[BaseModel] | None = None
    parameters: tuple[dict, ...] = ()
    media_type: str = "application/json"  # of the 200/201 answer
    extra: dict = field(default_factory=dict)


def operation(summary: str, responses: dict[int, tuple[Any, str]], **options) -> Callable:
    """Describe a route for the document (the route's own code stays the truth of what it does)."""

    def describe(view: Callable) -> Callable:
        view.openapi = Operation(summary, responses, **options)  # type: ignore[attr-defined]
        return view

    return describe


def query(name: str, schema: dict, *, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def header(name: str, schema: dict) -> dict:
    return {"name": name, "in": "header", "schema": schema}


def _components(operations: list[Operation]) -> dict:
    """JSON Schema of every model the operations use (and the models inside them)."""
    bodies = {op.body for op in operations if op.body is not None}
    answers = {
        spec
        for op in operations
        for spec, _ in op.responses.values()
        if isinstance(spec, type) and issubclass(spec, BaseModel)
    }
    answers |= {schemas.Error, schemas.ErrorList}  # the answers every operation may give
    ordered = sorted(bodies, key=lambda m: m.__name__), sorted(answers, key=lambda m: m.__name__)
    _, top = models_json_schema(
        [(m, "validation") for m in ordered[0]] + [(m, "serialization") for m in ordered[1]], ref_template=REF
    )
    return dict(sorted(top["$defs"].items()))


def _schema(spec: Any) -> dict:
    if isinstance(spec, type) and issubclass(spec, BaseModel):
        return {"$ref": REF.format(model=spec.__name__)}
    return spec


def _answer(spec: Any, description: str, media_type: str = "application/json") -> dict:
    return {"description": description, "content": {media_type: {"schema": _schema(spec)}}}


def _operation(endpoint: str, op: Operation, rule, view: Callable) -> dict:
    path_parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in rule.arguments
    ]
    responses = {}
    for status, (spec, description) in sorted(op.responses.items()):
        media_type = op.media_type if status < 300 else "application/json"
        responses[str(status)] = _answer(spec, description, media_type)
    access = getattr(view, "access_rule", None)
    result: dict = {"operationId": endpoint.rsplit(".", 1)[-1], "summary": op.summary, **op.extra}
    if access is not None and access.kind == "api":
        result["security"] = [{"bearer": []}]
        responses.setdefault("401", _answer(schemas.Error, "Missing or invalid bearer token"))
        if set(access.roles) != set(ALL_STAFF):
            responses.setdefault("403", _answer(schemas.Error, "This token's role may not do this"))
    if op.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(op.body)}},
        }
        responses.setdefault("413", _answer(schemas.Error, "The body is over the size limit"))
    responses.setdefault("422", _answer(schemas.ErrorList, "Bad input, by field name"))
    if path_parameters or op.parameters:
        result["parameters"] = path_parameters + list(op.parameters)
    result["responses"] = dict(sorted(responses.items()))
    return result


def document() -> dict:
    paths: dict[str, dict] = {}
    operations = []
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        op = getattr(view, "openapi", None)
        if op is None:
            raise RuntimeError(f"API route {rule.rule} has no @operation: describe it for the document")
        operations.append(op)
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", f"{{{name}}}")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule.endpoint, op, rule, view)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Doorstep API",
            "version": "1.0.0",
            "description": "Book face-to-face council appointments at home, at a business or at a hub.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": _components(operations),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": dict(sorted(paths.items())),
    }
