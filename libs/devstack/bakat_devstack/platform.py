"""The whole local platform: infrastructure, databases, migrations, topics, then the services.

Usable from the CLI (`python -m bakat_devstack run`) and from tests:

    settings = with_free_ports(DevstackSettings(state_dir=tmp_path))
    async with Platform(settings) as endpoints:
        httpx.get(endpoints.gateway_url + "/readyz")

Call `start()` from the thread that lives as long as the stack (the event-loop thread): children
are tied to it with PR_SET_PDEATHSIG.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

import httpx
from bakat_common.topics import DEFAULT_PARTITIONS, all_topics

from bakat_devstack.broker import EmbeddedBroker, ExternalBroker
from bakat_devstack.keys import ensure_dev_issuer_key
from bakat_devstack.migrations import grant_app_role, migrate
from bakat_devstack.ports import require_free_port
from bakat_devstack.postgres import EmbeddedPostgres, ExternalPostgres, ensure_database
from bakat_devstack.process import ManagedProcess, stop_all
from bakat_devstack.services import (
    ALL_SERVICES,
    BACKEND_SERVICES,
    SERVICES_BY_NAME,
    ServiceSpec,
    SharedEnv,
    service_command,
    service_env,
)
from bakat_devstack.settings import DevstackSettings
from bakat_devstack.topics import ensure_topics

log = logging.getLogger(__name__)


class ServiceFailed(RuntimeError):
    """A child process failed to become ready or died."""


@dataclass
class Endpoints:
    """Where everything listens once the platform is up."""

    postgres_url: str  # server URL (libpq form, the `postgres` database)
    kafka_bootstrap_servers: str
    database_urls: dict[str, str] = field(default_factory=dict)  # service -> async SQLAlchemy URL
    service_urls: dict[str, str] = field(default_factory=dict)  # started service -> http://host:port
    gateway_url: str = ""  # where the gateway listens (or would): also the dev token issuer's base

    def env_exports(self) -> dict[str, str]:
        """Variables that point other processes (tests, bench) at this stack."""
        env = {
            "BAKAT_POSTGRES_URL": self.postgres_url,
            "BAKAT_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
        }
        env.update({f"{name.upper()}_DATABASE_URL": url for name, url in self.database_urls.items()})
        return env


class Platform:
    """Starts (and stops) the stack: steps 1-7 of `make run`, with everything configurable."""

    def __init__(
        self,
        settings: DevstackSettings,
        *,
        services: Iterable[str] | None = None,
        spawn_services: bool = True,
        run_migrations: bool = True,
        echo: TextIO | None = None,
        base_env: Mapping[str, str] | None = None,
    ) -> None:
        names = [s.name for s in ALL_SERVICES] if services is None else list(services)
        unknown = [n for n in names if n not in SERVICES_BY_NAME]
        if unknown:
            raise ValueError(f"unknown services {unknown}; known: {list(SERVICES_BY_NAME)}")
        # Keep the canonical order (backends first, gateway last) whatever order we were given.
        self.services: list[ServiceSpec] = [s for s in ALL_SERVICES if s.name in names]
        self.settings = settings
        self.spawn_services = spawn_services
        self.run_migrations = run_migrations
        self.echo = echo
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.postgres: EmbeddedPostgres | ExternalPostgres | None = None
        self.broker: EmbeddedBroker | ExternalBroker | None = None
        self.children: dict[str, ManagedProcess] = {}
        self.endpoints: Endpoints | None = None
        self.database_roles: dict[str, str] = {}  # service -> the role its queries run as

    # --- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> Endpoints:
        try:
            return await self._start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Children first (in parallel, SIGTERM then SIGKILL), then the broker, then PostgreSQL.

        Idempotent: stopped children stay in `children` (their output tails remain readable),
        infrastructure handles are dropped once stopped.
        """
        live = [child for child in reversed(self.children.values()) if not child.reaped]
        if live:
            log.info("stopping services")
            stop_all(live, self.settings.stop_timeout_s)
        broker, self.broker = self.broker, None
        if broker is not None:
            log.info("stopping broker")
            broker.stop()
        postgres, self.postgres = self.postgres, None
        if postgres is not None:
            log.info("stopping PostgreSQL")
            postgres.stop()

    async def restart_service(self, name: str) -> None:
        """Start a service again after it exited (killed, or stopped by SIGTERM) and wait until it
        is ready: what Kubernetes does for a pod's container (the resilience tests)."""
        child = self.children[name]
        if child.is_running():
            raise RuntimeError(f"{name} is still running")
        child.wait_stopped(time.monotonic())  # reap it
        child.start()
        assert self.endpoints is not None
        deadline = time.monotonic() + self.settings.ready_timeout_s
        async with httpx.AsyncClient(trust_env=False, timeout=2.0) as client:
            await self._wait_ready(name, child, self.endpoints.service_urls[name], client, deadline)

    async def __aenter__(self) -> Endpoints:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    async def wait_for_failure(self, poll_s: float = 0.25) -> str:
        """Return a description as soon as any process we run has died (the caller then stops all)."""
        while True:
            for name, child in self.children.items():
                code = child.poll()
                if code is not None:
                    return f"{name} exited with code {code}\n--- last output of {name} ---\n{child.tail()}"
            if isinstance(self.broker, EmbeddedBroker) and not self.broker.is_running():
                tail = self.broker.process.tail() if self.broker.process else ""
                return f"the broker exited\n--- last output ---\n{tail}"
            if isinstance(self.postgres, EmbeddedPostgres) and not self.postgres.is_running():
                return f"PostgreSQL exited (log: {self.postgres.log_file})"
            await asyncio.sleep(poll_s)

    # --- steps ------------------------------------------------------------------------------------

    async def _start(self) -> Endpoints:
        s = self.settings
        s.state_dir.mkdir(parents=True, exist_ok=True)

        self.postgres = self._make_postgres()
        self.postgres.start()
        self.broker = self._make_broker()
        self.broker.start()

        endpoints = Endpoints(
            postgres_url=self.postgres.server_url,
            kafka_bootstrap_servers=self.broker.bootstrap_servers,
            gateway_url=f"http://{s.host}:{s.gateway_port}",
        )
        self.endpoints = endpoints
        for spec in self.services:
            if spec.database is not None:
                endpoints.database_urls[spec.name] = await self._database_for(spec)

        if self.run_migrations:
            for name, url in endpoints.database_urls.items():
                log.info("migrating %s", name)
                # alembic's env.py calls asyncio.run: keep it off our loop's thread.
                await asyncio.to_thread(migrate, name, url)
                if s.app_role and not s.database_override(name):
                    if await grant_app_role(self.postgres.server_url, url, s.app_role):
                        self.database_roles[name] = s.app_role
                    else:
                        log.warning("cannot create role %s: %s runs as the URL's user", s.app_role, name)

        log.info("creating topics")
        await ensure_topics(endpoints.kafka_bootstrap_servers, all_topics(), DEFAULT_PARTITIONS)

        if self.spawn_services and self.services:
            await self._spawn_services(endpoints)
        return endpoints

    def _make_postgres(self) -> EmbeddedPostgres | ExternalPostgres:
        s = self.settings
        if s.postgres_url:
            log.info("using external PostgreSQL (BAKAT_POSTGRES_URL)")
            return ExternalPostgres(s.postgres_url)
        return EmbeddedPostgres(
            s.pgdata_dir, s.embedded_pg_port, s.host, unsafe_fast=s.embedded_pg_unsafe_fast
        )

    def _make_broker(self) -> EmbeddedBroker | ExternalBroker:
        s = self.settings
        if s.kafka_bootstrap_servers:
            log.info("using external Kafka (BAKAT_KAFKA_BOOTSTRAP_SERVERS)")
            return ExternalBroker(s.kafka_bootstrap_servers)
        return EmbeddedBroker(
            s.embedded_kafka_port, s.host, log_file=s.logs_dir / "broker.log", echo=self.echo
        )

    async def _database_for(self, spec: ServiceSpec) -> str:
        override = self.settings.database_override(spec.name)
        if override:
            return override  # someone else's database: use as given, never create
        assert self.postgres is not None and spec.database is not None
        if await ensure_database(self.postgres.server_url, spec.database):
            log.info("created database %s", spec.database)
        return self.postgres.database_url(spec.database)

    async def _spawn_services(self, endpoints: Endpoints) -> None:
        s = self.settings
        key_file = ensure_dev_issuer_key(s.dev_issuer_key_file)
        shared = SharedEnv(
            kafka_bootstrap_servers=endpoints.kafka_bootstrap_servers,
            gateway_url=endpoints.gateway_url,
            dev_issuer_key_file=str(key_file),
            service_urls={b.name: f"http://{s.host}:{s.service_port(b.name)}" for b in BACKEND_SERVICES},
        )
        for spec in self.services:
            port = s.service_port(spec.name)
            require_free_port(port, s.host, f"service {spec.name}", f"BAKAT_{spec.name.upper()}_PORT")
            child = ManagedProcess(
                spec.name,
                service_command(spec, s.host, port, sys.executable),
                env=service_env(
                    spec,
                    shared,
                    endpoints.database_urls.get(spec.name),
                    self.base_env,
                    database_role=self.database_roles.get(spec.name),
                ),
                log_file=s.logs_dir / f"{spec.name}.log",
                echo=self.echo,
            )
            log.info("starting %s on %s:%d", spec.name, s.host, port)
            child.start()
            self.children[spec.name] = child
            endpoints.service_urls[spec.name] = f"http://{s.host}:{port}"

        deadline = time.monotonic() + s.ready_timeout_s
        # trust_env=False: a proxy from the environment must not intercept loopback probes.
        async with httpx.AsyncClient(trust_env=False, timeout=2.0) as client:
            await asyncio.gather(*(
                self._wait_ready(name, child, endpoints.service_urls[name], client, deadline)
                for name, child in self.children.items()
            ))

    async def _wait_ready(
        self, name: str, child: ManagedProcess, url: str, client: httpx.AsyncClient, deadline: float
    ) -> None:
        while True:
            code = child.poll()
            if code is not None:
                raise ServiceFailed(
                    f"{name} exited with code {code} while starting\n--- last output of {name} ---\n"
                    f"{child.tail()}"
                )
            try:
                if (await client.get(f"{url}/readyz")).status_code == 200:
                    log.info("%s is ready", name)
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ServiceFailed(
                    f"{name} did not answer 200 on {url}/readyz within {self.settings.ready_timeout_s:.0f}s\n"
                    f"--- last output of {name} ---\n{child.tail()}"
                )
            await asyncio.sleep(0.2)
