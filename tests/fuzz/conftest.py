"""What every service's fuzz module shares: the service in process on a fresh database, served to
schemathesis as an ASGI app, a bearer token of a seeded tenant, steering of path parameters towards rows
that exist, and a count of the requests sent.

Why a wrapper app instead of `in_process_service`'s client: schemathesis drives an ASGI app from its
own event-loop thread, and asyncpg connections belong to the loop that opened them. The wrapper's
lifespan runs `in_process_service` (the same harness the services' own tests use) inside that thread,
so the engine, the seeding and every generated request share one loop. The wrapper starts the service
from the module's `target` fixture, which hands it the PostgreSQL server.

Why the schema is built at import (`from_dict` of the app's own document) rather than from a fixture:
schemathesis' lazy `from_fixture` schemas do not run on pytest 9 (they write `node._nodeid`), and a
parametrized schema gives one test per operation, which reads better in a failure report anyway.
`test_*_serves_the_fuzzed_document` in each module proves the document is the one the service serves.
"""

from __future__ import annotations

import os
from collections import Counter
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import schemathesis
from bakat_common.app import ServiceRuntime
from bakat_common.auth import DevIssuer
from bakat_devstack.in_process import in_process_service
from bakat_devstack.postgres import PostgresHandle
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.types import Message, Receive, Scope, Send

# No 5xx, and every response as documented: its status code, its content type, its headers, its body.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# The issue asks for at least this many generated requests per service.
REQUIRED_REQUESTS = 1000
# Scale every service's examples, e.g. BAKAT_FUZZ_SCALE=10 for a long local hunt.
SCALE = float(os.environ.get("BAKAT_FUZZ_SCALE", "1"))
ALL_ROLES = ["admin", "officer", "assessor", "viewer", "integration"]


def fuzz_settings(examples_per_operation: int) -> settings:
    """Hypothesis settings for one service's run. Derandomized by default so `make test` is
    reproducible (a failure found once is found again); BAKAT_FUZZ_RANDOM=1 explores new inputs."""
    return settings(
        max_examples=max(1, round(examples_per_operation * SCALE)),
        deadline=None,  # database round trips vary; slowness is not what this test is about
        database=None,  # no .hypothesis/ folder in the checkout
        derandomize=os.environ.get("BAKAT_FUZZ_RANDOM", "") != "1",
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        print_blob=True,
    )


Seeder = Callable[[httpx.AsyncClient, ServiceRuntime, DevIssuer], Awaitable["Seeded"]]


@dataclass
class Seeded:
    """What the seeding made: the tenant the fuzzer's token belongs to and, per path parameter
    name, values of rows that exist (generated requests are steered to them most of the time)."""

    tenant: str
    known: dict[str, Sequence[str]] = field(default_factory=dict)


class ServiceUnderFuzz:
    """An ASGI app whose lifespan starts `package` in process on a fresh database and seeds it, and
    which hands every request to that service."""

    def __init__(
        self,
        package: str,
        settings_type: Callable[..., Any],
        create_app: Callable[[Any], FastAPI],
        seed: Seeder,
    ) -> None:
        self.postgres: PostgresHandle | None = None  # set by the module's fixture before any request
        self.package = package
        self.settings_type = settings_type
        self.create_app = create_app
        self.seed = seed
        self.app: FastAPI | None = None
        self.issuer: DevIssuer | None = None
        self.seeded: Seeded | None = None
        self.requests = 0
        self.statuses: Counter[int] = Counter()  # answers by status code, for the summary
        self._headers: dict[str, str] | None = None
        self._running: AsyncExitStack | None = None  # the started service, until `stop()`
        self._stopping = False

    def _capture(self, settings_: Any) -> FastAPI:
        self.app = self.create_app(settings_)
        return self.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self.app is not None, "the service has not started"
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.requests += 1

        async def tally(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.statuses[message["status"]] += 1
            await send(message)

        await self.app(scope, receive, tally)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        # schemathesis ends an app's lifespan after every test (every operation) and starts it again
        # for the next one. The service and its seeded database outlive those cycles: one database
        # per service run, where generated writes pile up as they would in use. `stop()` ends it.
        await receive()  # lifespan.startup
        try:
            if self._running is None and not self._stopping:
                await self._start_service()
        except Exception as exc:
            await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
            raise
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        if self._stopping and self._running is not None:
            running, self._running = self._running, None
            await running.aclose()
        await send({"type": "lifespan.shutdown.complete"})

    async def _start_service(self) -> None:
        assert self.postgres is not None, "use the module's target fixture before sending requests"
        stack = AsyncExitStack()
        try:
            client, runtime, issuer = await stack.enter_async_context(
                in_process_service(self.postgres, self.package, self.settings_type, self._capture, "fuzz")
            )
            self.issuer = issuer
            self.seeded = await self.seed(client, runtime, issuer)
        except BaseException:
            await stack.aclose()
            raise
        self._running = stack

    def headers(self) -> dict[str, str]:
        """A token of the seeded tenant with every role: the fuzzer should reach every route's logic,
        not stop at the permission check."""
        assert self.issuer is not None and self.seeded is not None
        if self._headers is None:
            token = self.issuer.mint("fuzzer", self.seeded.tenant, ALL_ROLES)
            self._headers = {"authorization": f"Bearer {token}"}
        return dict(self._headers)


    def openapi_document(self) -> dict[str, Any]:
        """The document the service serves at /openapi.json (it does not depend on the settings)."""
        settings_ = self.settings_type(
            database_url="postgresql+asyncpg://unused@127.0.0.1/unused",
            run_relay=False,
            run_consumers=False,
            log_json=False,
        )
        return self.create_app(settings_).openapi()

    def start(self, postgres: PostgresHandle) -> None:
        """Start the service (migrate, seed) in schemathesis' event-loop thread; it runs until `stop()`."""
        self.postgres = postgres
        with asgi.get_client(self):
            pass  # entering a client runs the lifespan's startup (once, until schemathesis ends it)

    def stop(self) -> None:
        """Dispose of the service's engine while PostgreSQL still runs (the lifespan that sees
        `_stopping` closes it)."""
        self._stopping = True
        with asgi.get_client(self):
            pass
        asgi.shutdown_lifespans()

    def served_document(self) -> dict[str, Any]:
        """/openapi.json as the running service answers it."""
        with asgi.get_client(self) as client:
            response = client.get("/openapi.json")
        self.requests -= 1  # not a generated request
        self.statuses[response.status_code] -= 1
        assert response.status_code == 200, response.text
        return response.json()


def openapi_schema(target: ServiceUnderFuzz) -> schemathesis.BaseSchema:
    """The service's OpenAPI as a schemathesis schema whose requests go to `target` in process."""
    schema = schemathesis.openapi.from_dict(target.openapi_document())
    schema.app = target  # what `from_asgi` sets: calls go through the ASGI transport to the wrapper
    return schema


def steer(case: schemathesis.Case, seeded: Seeded) -> None:
    """Point most generated path parameters at seeded rows, so that requests reach the code behind
    the tenant check and the 404s. One case in four keeps every generated value (odd tenants and
    ids are part of the fuzzing); the choice hashes the case so a replay takes the same path."""
    params: Mapping[str, Any] | None = case.path_parameters
    if not params:
        return
    fingerprint = zlib.crc32(repr(sorted(params.items())).encode())
    if fingerprint % 4 == 0:
        return
    for name in params:
        if name == "tenant_id":
            case.path_parameters[name] = seeded.tenant
        elif seeded.known.get(name):
            values = seeded.known[name]
            # A different bit of the fingerprint per parameter: sometimes a seeded row, sometimes not.
            bit = zlib.crc32(name.encode()) % 16
            if (fingerprint >> (bit + 2)) & 1:
                case.path_parameters[name] = values[fingerprint % len(values)]


def fuzz_case(target: ServiceUnderFuzz, case: schemathesis.Case) -> None:
    """Send one generated request as the seeded tenant and validate the answer."""
    assert target.seeded is not None
    steer(case, target.seeded)
    case.call_and_validate(headers=target.headers(), checks=CHECKS)


def summary(target: ServiceUnderFuzz) -> str:
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(target.statuses.items()) if n)
    return f"{target.package}: {target.requests} generated requests ({statuses})"
