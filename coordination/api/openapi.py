"""The OpenAPI 3 document, generated from the routes and their schemas with
apispec (docs/api.md says why this library).

Each API view carries what the document needs (:func:`operation`); the
document is built from ``app.url_map``, so a route cannot be left out of it.
"""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from coordination.api import schemas

#: Flask converters -> path parameters (opaque tokens, 13 base-32 letters).
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
_ERRORS = {
    "400": "The request could not be understood",
    "401": "No valid token",
    "403": "The client's scopes or its agency's role do not allow this",
    "404": "No such record, or one the agency may not see",
    "409": "Changed meanwhile",
    "412": "If-Match names an old version",
    "422": "The change breaks a rule, or the input is not valid",
    "428": "If-Match is missing",
    "429": "Too many calls",
}


def operation(summary: str, *, response=None, request=None, status: int = 200,
              paged: bool = False, etag: bool = False, if_match: bool = False,
              query: dict | None = None):
    """Describe an API view for the OpenAPI document."""

    def decorator(view):
        view.api_doc = {"summary": summary, "response": response, "request": request,
                        "status": status, "paged": paged, "etag": etag,
                        "if_match": if_match, "query": query or {}}
        return view

    return decorator


def _path(rule: str) -> tuple[str, list[dict]]:
    parameters = []

    def replace(match):
        parameters.append({"name": match.group(2), "in": "path", "required": True,
                           "schema": {"type": "string", "pattern": "^[a-z2-7]{13}$"}})
        return "{" + match.group(2) + "}"

    return _PARAMETER.sub(replace, rule), parameters


def _problems(codes) -> dict:
    content = {"application/problem+json": {"schema": "Problem"}}
    return {code: {"description": _ERRORS[code], "content": content} for code in codes}


def _operation(view, method: str, parameters: list[dict]) -> dict:
    doc = view.api_doc
    parameters = list(parameters)
    if doc["paged"]:
        parameters += [
            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            {"name": "limit", "in": "query",
             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}}]
    parameters += [{"name": name, "in": "query", "schema": schema}
                   for name, schema in doc["query"].items()]
    if getattr(view, "api_idempotent", False):
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": True,
                           "schema": {"type": "string", "minLength": 1, "maxLength": 100}})
    if doc["if_match"]:
        parameters.append({"name": "If-Match", "in": "header", "required": True,
                           "schema": {"type": "string"}})
    ok = {"description": "OK"}
    if doc["response"] is not None:
        ok["content"] = {"application/json": {"schema": doc["response"]}}
    if doc["etag"] or doc["if_match"]:
        ok["headers"] = {"ETag": {"schema": {"type": "string"}}}
    codes = ["400", "401", "403", "404", "422", "429"]
    if doc["if_match"]:
        codes += ["409", "412", "428"]
    result = {"summary": doc["summary"], "operationId": view.__name__,
              "parameters": parameters,
              "responses": {str(doc["status"]): ok, **_problems(codes)}}
    scope = getattr(view, "api_scope", None)
    if scope is not None:
        result["security"] = [{"bearer": []}]
        result["description"] = f"Needs the scope `{scope.value}`."
    if doc["request"] is not None:
        result["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": doc["request"]}}}
    return result


def document() -> dict:
    """The OpenAPI 3.0 document of /api/v1, from the app's routes."""
    spec = APISpec(title="Case coordination API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Partner systems' access to case coordination "
                                        "(docs/api.md). Errors are RFC 9457 problems."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=schemas.Problem)
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions[rule.endpoint]
        if not rule.endpoint.startswith("api.") or not hasattr(view, "api_doc"):
            continue
        path, parameters = _path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, method, parameters)
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path])
    return spec.to_dict()
