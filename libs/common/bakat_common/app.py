"""What every Bakat service process has: lifespan (engine, producer, relay, consumers), health and
readiness, metrics, request ids, problem+json errors and auth dependencies.

A service's `main.create_app(settings)` calls `create_service_app` with its routers and consumers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Annotated, Any

from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bakat_common.auth import Principal, TokenVerifier
from bakat_common.consumer import EventConsumer, Handler
from bakat_common.db import (
    create_engine,
    create_side_engine,
    read_session_factory,
    session_factory,
    tenant_scope,
    unit_of_work,
)
from bakat_common.errors import Forbidden, Unauthorized, install_problem_handlers
from bakat_common.logging import configure_logging, request_id_var, tenant_var
from bakat_common.metrics import HttpMetricsMiddleware, Metrics
from bakat_common.outbox import OutboxRelay
from bakat_common.settings import ServiceSettings
from bakat_common.topics import service_topic

log = logging.getLogger("bakat.app")


@dataclass
class ConsumerSpec:
    """Which topics a service consumes and the handler per event type."""

    topics: list[str]
    handlers: dict[str, Handler]
    group_id: str | None = None  # defaults to the service name


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    # Off the main pool (db.create_side_engine): background jobs' progress and heartbeat writes, and
    # the readiness probe's query.
    side_engine: AsyncEngine
    side_sessions: async_sessionmaker[AsyncSession]
    metrics: Metrics
    verifier: TokenVerifier
    producer: AIOKafkaProducer | None = None
    producer_ready: asyncio.Event = field(default_factory=asyncio.Event)
    consumers: list[EventConsumer] = field(default_factory=list)
    expected_consumers: int = 0
    # Tenants already found in the known-tenants replica -> their parent. Safe to keep for the life of
    # the process: tenants are never deleted and a tenant's parent never changes.
    tenant_parents: dict[str, str | None] = field(default_factory=dict)
    # The service's own metrics (assessments completed, import jobs...), on `metrics.registry`.
    domain_metrics: Any = None

    @classmethod
    def open(
        cls, settings: ServiceSettings, metrics: Metrics, domain_metrics: Any = None
    ) -> ServiceRuntime:
        """The engines and session factories of a service process (the app's lifespan, in-process tests)."""
        engine, side_engine = create_engine(settings), create_side_engine(settings)
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            read_sessions=read_session_factory(engine),
            side_engine=side_engine,
            side_sessions=session_factory(side_engine),
            metrics=metrics,
            verifier=TokenVerifier(settings.auth),
            domain_metrics=domain_metrics,
        )

    async def close(self) -> None:
        await self.engine.dispose()
        await self.side_engine.dispose()

    @property
    def topic(self) -> str:
        return service_topic(self.settings.service_name)


def tenant_in_path(path: str) -> str | None:
    """`kota-batu` from `/tenants/kota-batu/...`: every tenant-scoped route has this shape."""
    if not path.startswith("/tenants/"):
        return None
    return path[len("/tenants/") :].split("/", 1)[0] or None


# Bakat's telemetry is Prometheus (bakat_common.metrics) and JSON logs. FastAPI's own OpenTelemetry
# hooks, on by default, would look up the unconfigured OTel providers (os.environ) on every request:
# about 4 % of a service's CPU for nothing.
WITHOUT_OPENTELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class RequestIdMiddleware:
    """Gives every request an id (the caller's X-Request-ID or a new one) and puts it, with the
    tenant of the path, into the logging context.

    It also starts each request with an empty tenant scope, and with each of `request_context`'s
    context variables at the value given, and restores them afterwards. Uvicorn runs every request in
    a context of its own anyway; an in-process client (httpx's ASGITransport, in the tests) runs them
    in the caller's, where one request's scope would otherwise carry over into the next."""

    def __init__(self, app: ASGIApp, request_context: Sequence[tuple[ContextVar[Any], Any]] = ()) -> None:
        self.app = app
        self.fresh: list[tuple[ContextVar[Any], Any]] = [(tenant_scope, ""), *request_context]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id")
        request_id = incoming.decode("latin-1")[:128] if incoming else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        tenant_token = tenant_var.set(tenant_in_path(scope["path"]))
        fresh_tokens = [(var, var.set(value)) for var, value in self.fresh]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            request_id_var.reset(token)
            tenant_var.reset(tenant_token)
            for var, fresh_token in reversed(fresh_tokens):
                var.reset(fresh_token)


def new_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        acks="all",  # acks=0 breaks aiokafka's bookkeeping on Tansu
        enable_idempotence=settings.kafka.enable_idempotence,
        linger_ms=0,
        client_id=f"bakat-{settings.service_name}",
    )


async def _start_producer(runtime: ServiceRuntime, stop: asyncio.Event) -> None:
    """Keep trying until the broker answers: the service stays up (not ready) while it is away."""
    delay = 0.2
    while not stop.is_set():
        producer = new_producer(runtime.settings)
        try:
            await producer.start()
        except Exception as exc:
            log.warning("broker not reachable yet: %s", exc)
            with contextlib.suppress(Exception):
                await producer.stop()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
            continue
        runtime.producer = producer
        runtime.producer_ready.set()
        return


# A loop of the worker process beside its consumers, e.g. refreshing a gauge from the database;
# it returns when `stop` is set.
WorkerJob = Callable[[ServiceRuntime, asyncio.Event], Awaitable[None]]


async def _run_background(
    runtime: ServiceRuntime,
    consumer_specs: Sequence[ConsumerSpec],
    worker_jobs: Sequence[WorkerJob],
    stop: asyncio.Event,
):
    # Not behind the broker: a database-only loop keeps working while the broker is away.
    own = [asyncio.create_task(job(runtime, stop)) for job in worker_jobs] if runtime.settings.run_consumers else []
    try:
        await _run_event_loops(runtime, consumer_specs, stop)
    finally:
        await asyncio.gather(*own, return_exceptions=True)


async def _run_event_loops(runtime: ServiceRuntime, consumer_specs: Sequence[ConsumerSpec], stop: asyncio.Event):
    await _start_producer(runtime, stop)
    if stop.is_set() or runtime.producer is None:
        return
    settings = runtime.settings
    jobs = []
    if settings.run_relay:
        relay = OutboxRelay(
            runtime.engine,
            runtime.producer,
            runtime.metrics,
            batch_size=settings.outbox_batch_size,
            poll_interval_s=settings.outbox_poll_interval_s,
            max_backoff_s=settings.outbox_max_backoff_s,
        )
        jobs.append(relay.run(stop))
    if settings.run_consumers:
        for spec in consumer_specs:
            consumer = EventConsumer(
                group_id=spec.group_id or settings.service_name,
                topics=spec.topics,
                handlers=spec.handlers,
                sessions=runtime.sessions,
                producer=runtime.producer,
                kafka=settings.kafka,
                metrics=runtime.metrics,
                max_attempts=settings.consumer_max_attempts,
                batch_size=settings.consumer_batch_size,
            )
            runtime.consumers.append(consumer)
            jobs.append(consumer.run(stop))
    await asyncio.gather(*jobs)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    consumers: Sequence[ConsumerSpec] = (),
    configure: Callable[[FastAPI, ServiceRuntime], None] | None = None,
    domain_metrics: Callable[[CollectorRegistry], Any] | None = None,
    worker_jobs: Sequence[WorkerJob] = (),
    request_context: Sequence[tuple[ContextVar[Any], Any]] = (),
) -> FastAPI:
    """`domain_metrics(registry)` builds the service's own metrics, registered now so that every
    metric family is exported (its TYPE line) before its first event; routes reach them as
    `runtime.domain_metrics`. `worker_jobs` run where the consumers run (the worker).
    `request_context`: the service's own per-request context variables and the value each request
    starts with (see RequestIdMiddleware)."""
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    metrics = Metrics(settings.service_name)
    own_metrics = domain_metrics(metrics.registry) if domain_metrics is not None else None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = ServiceRuntime.open(settings, metrics, own_metrics)
        runtime.expected_consumers = len(consumers) if settings.run_consumers else 0
        app.state.runtime = runtime
        if configure is not None:
            configure(app, runtime)
        stop = asyncio.Event()
        background = asyncio.create_task(_run_background(runtime, consumers, worker_jobs, stop))
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(background, timeout=10)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                background.cancel()
            except Exception:
                log.exception("background tasks ended with an error")
            if runtime.producer is not None:
                with contextlib.suppress(Exception):
                    await runtime.producer.stop()
            await runtime.close()

    app = FastAPI(
        title=title, description=description, version="0.1.0", lifespan=lifespan, telemetry=WITHOUT_OPENTELEMETRY
    )
    install_problem_handlers(app)
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestIdMiddleware, request_context=request_context)
    app.mount("/metrics", metrics.asgi_app())
    app.state.metrics = metrics
    app.state.domain_metrics = own_metrics

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        runtime: ServiceRuntime = request.app.state.runtime
        checks = {"database": "ok", "broker": "ok"}
        try:
            await asyncio.wait_for(_database_answers(runtime.side_engine), timeout=2)
        except Exception as exc:
            checks["database"] = f"down: {exc.__class__.__name__}"
        if runtime.producer is None:
            checks["broker"] = "down: not connected"
        else:
            try:
                await asyncio.wait_for(runtime.producer.client.fetch_all_metadata(), timeout=2)
            except Exception as exc:
                checks["broker"] = f"down: {exc.__class__.__name__}"
        if runtime.expected_consumers:
            joined = sum(c.joined.is_set() for c in runtime.consumers)
            checks["consumers"] = (
                "ok" if joined == runtime.expected_consumers else f"joining ({joined}/{runtime.expected_consumers})"
            )
        ready = all(v == "ok" for v in checks.values())
        for check, state in checks.items():  # the kubelet probes every few seconds: alerts read this
            metrics.ready.labels(check).set(1 if state == "ok" else 0)
        return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503)

    for router in routers:
        app.include_router(router)
    return app


async def _database_answers(side_engine: AsyncEngine) -> None:
    """Readiness asks whether the database answers, on a connection of its own: a pod whose pool is
    busy is loaded, not broken. Taken from the pool, the probe would queue behind the requests for up
    to the pool timeout, and every busy pod would leave the Service at once, sending its load to the
    others. Overload is answered per request instead (503 with Retry-After, see errors.py)."""
    async with side_engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


# ---- dependencies shared by every service's routes -------------------------------------------------


async def get_runtime(request: Request) -> ServiceRuntime:
    # async on purpose: FastAPI runs plain-def dependencies in a thread pool, which costs a hop per request.
    return request.app.state.runtime


async def get_session(runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed when the route returns, rolled back when it raises."""
    async with unit_of_work(runtime.sessions) as session:
        yield session


async def get_read_session(
    runtime: Annotated[ServiceRuntime, Depends(get_runtime)],
) -> AsyncIterator[AsyncSession]:
    """A read-only route's session: no transaction, so no BEGIN/COMMIT round trips (hot list pages)."""
    async with runtime.read_sessions() as session:
        yield session


async def get_principal(request: Request, runtime: Annotated[ServiceRuntime, Depends(get_runtime)]) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("a bearer token is required")
    principal = await runtime.verifier.verify(token.strip())
    if not principal.roles:
        raise Forbidden("the token carries no Bakat role (admin, officer, assessor, viewer, integration)")
    return principal


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]
# scope="function": commit before the response is sent, so a 201 means the change is durable (and a
# failed commit is the client's 500, not a 201 for something that was lost).
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
