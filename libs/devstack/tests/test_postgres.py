"""Embedded PostgreSQL: start on TCP, create a database, query it, restart on the same data, stop."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from bakat_devstack.ports import free_port
from bakat_devstack.postgres import EmbeddedPostgres, PostgresError, ensure_database, libpq_url
from bakat_devstack.process import pid_alive

pytestmark = pytest.mark.integration


def _gone(pid: int) -> bool:
    return not pid_alive(pid)


@pytest.fixture
def pgdata(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "pgdata"
    shutil.rmtree(tmp_path / "pgdata", ignore_errors=True)  # ~40 MB each: don't keep them around


async def test_start_create_query_stop(pgdata: Path) -> None:
    server = EmbeddedPostgres(pgdata, free_port(), unsafe_fast=True)
    server.start()
    try:
        pid = server.pid
        assert pid is not None and server.is_running()
        assert await ensure_database(server.server_url, "bakat_devstack_test") is True
        assert await ensure_database(server.server_url, "bakat_devstack_test") is False

        url = server.database_url("bakat_devstack_test")
        assert url.startswith("postgresql+asyncpg://postgres@127.0.0.1:")
        conn = await asyncpg.connect(libpq_url(url))
        try:
            assert await conn.fetchval("select 1") == 1
            assert await conn.fetchval("select current_database()") == "bakat_devstack_test"
        finally:
            await conn.close()
    finally:
        server.stop()
    assert not server.is_running()
    assert _gone(pid)


async def test_data_survives_restart_and_leftover_server_is_handled(pgdata: Path) -> None:
    # No watchdogs here: we simulate runners that crashed without taking their server along.
    first = EmbeddedPostgres(pgdata, free_port(), unsafe_fast=True, stop_with_parent=False)
    first.start()
    leftover_pid = first.pid
    assert leftover_pid is not None
    await ensure_database(first.server_url, "kept")

    # A second runner is refused while the first holds the data dir.
    with pytest.raises(PostgresError, match="in use"):
        EmbeddedPostgres(pgdata, free_port()).start()

    # The first runner "crashes": its lock goes, its server stays up.
    first._release_lock()

    # Same port: the running server is adopted.
    adopted = EmbeddedPostgres(pgdata, first.port, stop_with_parent=False)
    adopted.start()
    assert adopted.reused and adopted.pid == leftover_pid
    adopted._release_lock()

    # Another port: the leftover is stopped and a new server starts, with the data still there.
    moved = EmbeddedPostgres(pgdata, free_port(), unsafe_fast=True)
    moved.start()
    moved_pid = moved.pid
    try:
        assert not moved.reused and moved_pid is not None and moved_pid != leftover_pid
        assert _gone(leftover_pid)
        assert await ensure_database(moved.server_url, "kept") is False
    finally:
        moved.stop()
    assert _gone(moved_pid)


def test_server_dies_with_a_hard_killed_runner(pgdata: Path) -> None:
    runner = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(pgdata), str(free_port())],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert runner.stdout is not None
        pid = int(runner.stdout.readline())
        assert pid_alive(pid)
    finally:
        runner.kill()
        runner.wait()
    deadline = time.monotonic() + 15
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)


RUNNER = """
import sys, time
from pathlib import Path
from bakat_devstack.postgres import EmbeddedPostgres
server = EmbeddedPostgres(Path(sys.argv[1]), int(sys.argv[2]), unsafe_fast=True)
server.start()
print(server.pid, flush=True)
time.sleep(60)
"""


def test_taken_port_fails_clearly(pgdata: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        server = EmbeddedPostgres(pgdata, sock.getsockname()[1])
        with pytest.raises(Exception, match="already in use"):
            server.start()
        server.stop()


async def test_plugin_fixture_serves_queries(embedded_postgres) -> None:  # type: ignore[no-untyped-def]
    await ensure_database(embedded_postgres.server_url, "bakat_devstack_fixture")
    conn = await asyncpg.connect(libpq_url(embedded_postgres.database_url("bakat_devstack_fixture")))
    try:
        assert await conn.fetchval("select 1") == 1
    finally:
        await conn.close()
