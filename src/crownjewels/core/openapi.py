"""What the OpenAPI document states beyond what FastAPI infers from the routes: the error answers
every operation may give (application/problem+json) and the bound each text parameter is held to
(core.http.refuse_unstorable_text enforces it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from crownjewels.core.http import MAX_PARAMETER_CHARS

PROBLEM = "application/problem+json"
_UNSAFE = {"post", "put", "patch", "delete"}
#: FastAPI's own 422 body, replaced by the problem below
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


class FieldProblem(BaseModel):
    """One invalid field: its dotted name and what is wrong with it."""

    field: str
    message: str


class Problem(BaseModel):
    """An error answer (RFC 9457): what went wrong and what to do, in words."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    #: the input field at fault, when one is
    field: str | None = None
    #: an access denial: every rule that failed, each in words
    reasons: list[str] | None = None
    #: invalid input: one entry per invalid field
    errors: list[FieldProblem] | None = None


_ANSWERS = {
    "401": "Authentication required: log in, or send an API token as `Authorization: Bearer`",
    "403": "Forbidden: the caller lacks the permission (the problem names it)",
    "404": "Not found: nothing with that reference, or nothing the caller may see",
    "409": "Conflict: the change clashes with what is stored (a duplicate, a stale state)",
    "413": "Too large: the request body is over the limit (the problem says the limit)",
    "422": "Invalid input: the problem names each invalid field and why",
}


def _answer(code: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": _ANSWERS[code], "content": {PROBLEM: {"schema": schema}}}


def _errors_of(method: str, operation: dict[str, Any], public: bool) -> list[str]:
    """The error statuses an operation may answer."""
    codes = [] if public else ["401", "403", "404"]
    if method in _UNSAFE and not public:
        codes.append("409")
    if "requestBody" in operation:
        codes.append("413")
    if operation.get("parameters") or "requestBody" in operation:
        codes.append("422")
    return codes


def _bound_text(schema: dict[str, Any]) -> None:
    """Give a text parameter's schema (or each text arm of a union) the installation's bound."""
    for arm in schema.get("anyOf", [schema]):
        if arm.get("type") == "string" and "enum" not in arm:
            arm["maxLength"] = min(arm.get("maxLength", MAX_PARAMETER_CHARS), MAX_PARAMETER_CHARS)


def complete(document: dict[str, Any], *, public_paths: Iterable[str]) -> dict[str, Any]:
    """The document with every operation's problem+json answers and bounded text parameters."""
    public = tuple(public_paths)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for path, item in document.get("paths", {}).items():
        is_public = any(path == p or path.startswith(p + "/") for p in public)
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("path", "query"):
                    _bound_text(parameter.get("schema", {}))
            responses = operation.setdefault("responses", {})
            for code in _errors_of(method, operation, is_public):
                declared = responses.get(code, {}) if code != "422" else {}
                responses[code] = {**_answer(code), **declared, "content": _answer(code)["content"]}
            operation["responses"] = dict(sorted(responses.items()))
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    return document


def install(app: FastAPI, *, public_paths: Iterable[str]) -> None:
    """Make `app.openapi()` serve FastAPI's document completed by `complete` (built once)."""
    plain: Callable[[], dict[str, Any]] = app.openapi
    public = tuple(public_paths)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(plain(), public_paths=public)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
