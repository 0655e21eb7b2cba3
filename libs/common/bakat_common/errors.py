"""problem+json (RFC 9457) errors: what is wrong and where, never a stack trace for the client."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("bakat.errors")


class Problem(Exception):
    """Raise from use cases or routes; rendered as application/problem+json."""

    status: int = 400
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if title is not None:
            self.title = title
        self.errors = errors or []
        self.headers = headers or {}


class NotFound(Problem):
    status = 404
    title = "Not found"


class Forbidden(Problem):
    status = 403
    title = "Forbidden"


class Unauthorized(Problem):
    status = 401
    title = "Unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Conflict(Problem):
    status = 409
    title = "Conflict"


class InvalidInput(Problem):
    """A domain rule rejected the input: 422 with the field and the rule."""

    status = 422
    title = "Invalid input"

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message, errors=[{"field": field, "rule": rule, "message": message}])


class ServiceUnavailable(Problem):
    status = 503
    title = "Service unavailable"


def problem_body(
    status: int, title: str, detail: str, instance: str | None = None, errors: list | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, title, detail, instance, errors),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _field_path(loc: tuple | list) -> str:
    return ".".join(str(part) for part in loc)


def validation_errors(exc: RequestValidationError) -> tuple[int, list[dict[str, Any]]]:
    errors = []
    status = 422
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            status = 400  # the body is not JSON at all: a syntax problem, not a rule
        errors.append(
            {
                "field": _field_path(err.get("loc", ())),
                "rule": err.get("type", "invalid"),
                "message": err.get("msg", ""),
            }
        )
    return status, errors


def sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE behind a SQLAlchemy error, if any."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            instance=request.url.path,
            errors=exc.errors,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, errors = validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        title = "Malformed JSON" if status == 400 else "Invalid input"
        return problem_response(status, title, detail, instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden"}
        return problem_response(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            str(exc.detail),
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    def _unavailable(request: Request, detail: str, retry_after_s: int) -> JSONResponse:
        return problem_response(
            503,
            "Service unavailable",
            detail,
            instance=request.url.path,
            headers={"Retry-After": str(retry_after_s)},
        )

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        # The database refused what the client sent: a race lost to an identical request (unique
        # violation), or a value PostgreSQL cannot store (e.g. a NUL character). Both are 4xx.
        code = sqlstate(exc) or ""
        if code == "23505":
            return problem_response(
                409, "Conflict", "conflicts with a record that already exists", instance=request.url.path
            )
        if code.startswith("22") or code.startswith("23"):
            return problem_response(
                422, "Invalid input", "a value cannot be stored as sent", instance=request.url.path
            )
        if exc.connection_invalidated or code.startswith(("08", "57P")):
            log.warning("database unavailable: %s", exc.__class__.__name__)
            return _unavailable(request, "the database is not reachable; try again shortly", retry_after_s=5)
        return await _unexpected(request, exc)

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        # Every connection of the pool stayed busy for db_pool_timeout_s: overload, not the client's
        # fault and not a bug; say so, and when to come back, rather than 500.
        log.warning("database pool exhausted: no connection within the pool timeout")
        detail = "the service is busy (no database connection came free in time); try again shortly"
        return _unavailable(request, detail, retry_after_s=2)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(
            500, "Internal error", "an unexpected error occurred", instance=request.url.path
        )


# Documented in every route's OpenAPI so clients (and schemathesis) know the shape of errors.
PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "rule": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
    "required": ["title", "status", "detail"],
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each listed status documented as problem+json."""
    descriptions = {
        400: "Malformed request body",
        401: "Missing or invalid token",
        403: "Token not allowed for this tenant or action",
        404: "Not found",
        409: "Conflict",
        422: "Invalid input",
        503: "Service unavailable",
    }
    return {
        s: {
            "description": descriptions.get(s, "Error"),
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
        for s in statuses
    }
