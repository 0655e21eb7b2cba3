"""Real HTTP on loopback: fake services and the gateway itself run under uvicorn in the test's event loop.

Two services are up (roster, placement) with deliberately conflicting `Page` schemas; assessment and
scheduling point at a bound-but-not-listening port, so connecting to them is refused at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI, Request, Response
from gateway.config import GatewaySettings
from gateway.main import create_app
from pydantic import BaseModel

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Money(BaseModel):  # identical in both services: must merge into one schema
    amount: int
    currency: str = "IDR"


def fake_service(name: str) -> FastAPI:
    app = FastAPI(title=f"Bakat {name}")

    if name == "roster":

        class Employee(BaseModel):
            nip: str
            name: str
            salary: Money

        class Page(BaseModel):
            items: list[Employee]
            total: int

        @app.get("/tenants/{tenant_id}/employees", response_model=Page, tags=["employees"])
        async def list_employees(tenant_id: str) -> Page:
            return Page(items=[], total=0)

        @app.get("/internal/debug")  # documented by the service, not routed by the gateway
        async def debug() -> dict[str, str]:
            return {}

    else:

        class Placement(BaseModel):
            nip: str
            box: int

        class Page(BaseModel):  # type: ignore[no-redef]  # same name, different shape
            items: list[Placement]
            next_cursor: str | None = None

        @app.get("/tenants/{tenant_id}/placements", response_model=Page, tags=["placements"])
        async def list_placements(tenant_id: str) -> Page:
            return Page(items=[])

        @app.get("/tenants/{tenant_id}/employees/{nip}/placement", response_model=Placement)
        async def employee_placement(tenant_id: str, nip: str) -> Placement:
            return Placement(nip=nip, box=9)

    @app.api_route("/{path:path}", methods=ALL_METHODS, include_in_schema=False)
    async def echo(request: Request) -> Response:
        """Says what it received; query flags shape the answer (status, sleep, cookie, gzip)."""
        q = request.query_params
        if "sleep" in q:
            await asyncio.sleep(float(q["sleep"]))
        body = json.dumps(
            {
                "service": name,
                "method": request.method,
                "path": request.url.path,
                "raw_path": request.scope["raw_path"].decode("latin-1"),
                "query": request.scope["query_string"].decode("latin-1"),
                "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.scope["headers"]],
                "body": (await request.body()).decode("utf-8", "replace"),
            }
        ).encode()
        headers = {"X-Upstream": name}
        if "gzip" in q:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        status = int(q.get("status", 200))
        response = Response(body, status_code=status, media_type="application/json", headers=headers)
        if status == 201:
            response.headers["Location"] = f"{request.url.path}/new-id"
        if "cookie" in q:
            response.set_cookie("session", "secret-of-" + q["cookie"])
        return response

    return app


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Run `app` under uvicorn on a free loopback port until the block ends."""
    # Port 0 and uvicorn's own socket: a socket handed in via `sockets=` built as socket.socket(AF_INET,
    # SOCK_STREAM) has proto 0, asyncio then skips TCP_NODELAY and every exchange waits ~40 ms (Nagle).
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]  # keep pytest's Ctrl-C
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    if not server.started:
        task.result() if task.done() else task.cancel()
        raise RuntimeError("test server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
def closed_port() -> Iterator[int]:
    """A port that refuses connections: bound (so nobody else takes it) but never listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@dataclass(frozen=True)
class Stack:
    url: str  # the gateway
    roster_url: str
    placement_url: str
    settings: GatewaySettings
    app: FastAPI


def gateway_settings(roster: str, placement: str, closed_port: int, **overrides: object) -> GatewaySettings:
    down = f"http://127.0.0.1:{closed_port}"
    values: dict[str, object] = dict(
        roster_url=roster,
        placement_url=placement,
        assessment_url=down,
        scheduling_url=down,
        request_timeout_s=1.0,
        retries=1,
        log_json=False,
        log_level="WARNING",
    )
    values.update(overrides)
    return GatewaySettings(**values)  # type: ignore[arg-type]


@pytest_asyncio.fixture(scope="session")
async def upstreams() -> AsyncIterator[tuple[str, str]]:
    async with serve(fake_service("roster")) as roster, serve(fake_service("placement")) as placement:
        yield roster, placement


@pytest_asyncio.fixture(scope="session")
async def stack(
    upstreams: tuple[str, str], closed_port: int, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    roster, placement = upstreams
    key_file: Path = tmp_path_factory.mktemp("dev-issuer") / "key.pem"
    settings = gateway_settings(
        roster,
        placement,
        closed_port,
        dev_mode=True,
        dev_issuer_key_file=str(key_file),
        dev_clients={"bkn-siasn-kota-batu": {"secret": "s3cret-batu", "tenant": "kota-batu"}},
    )
    app = create_app(settings)
    async with serve(app) as url:
        yield Stack(url, roster, placement, settings, app)


@pytest_asyncio.fixture(scope="session")
async def prod_stack(upstreams: tuple[str, str], closed_port: int) -> AsyncIterator[Stack]:
    """The same gateway with dev mode off."""
    roster, placement = upstreams
    settings = gateway_settings(roster, placement, closed_port, dev_mode=False)
    app = create_app(settings)
    async with serve(app) as url:
        yield Stack(url, roster, placement, settings, app)
