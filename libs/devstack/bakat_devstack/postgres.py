"""PostgreSQL for local runs and tests: pgserver's bundled binaries on TCP, or an external server.

Why not `pgserver.get_server()`: it listens on a unix socket only, registers an atexit hook that
stops the server, and hands back a broken URL when a TCP server already runs on the data dir.
We reuse its binaries and its run-as-root helpers and drive `pg_ctl` ourselves.
"""

from __future__ import annotations

import fcntl
import logging
import os
import pwd
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import asyncpg
from sqlalchemy.engine import make_url

from bakat_devstack.ports import require_free_port
from bakat_devstack.process import ManagedProcess, pid_alive

log = logging.getLogger(__name__)

SUPERUSER = "postgres"
# pgserver's convention: as root, the server runs as this OS user (PostgreSQL refuses to run as root).
ROOT_RUN_AS = "pgserver"
_DB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_CONNECTIONS = 300  # the embedded server's; see _pg_ctl_start


class PostgresError(RuntimeError):
    pass


class PostgresHandle(Protocol):
    """What callers need from a server, embedded or external."""

    @property
    def server_url(self) -> str: ...

    def database_url(self, name: str) -> str: ...


def async_database_url(server_url: str, database: str) -> str:
    """`postgresql://u:p@h:5432/postgres` -> `postgresql+asyncpg://u:p@h:5432/<database>`."""
    url = make_url(server_url).set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """Any SQLAlchemy/libpq PostgreSQL URL as a plain `postgresql://` DSN (what asyncpg accepts)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_database(server_url: str, name: str) -> bool:
    """Create database `name` if missing; True if created. Safe against concurrent creators."""
    if not _DB_NAME.match(name):
        raise ValueError(f"refusing odd database name {name!r}")
    conn = await asyncpg.connect(libpq_url(server_url))
    try:
        if await conn.fetchval("select 1 from pg_database where datname = $1", name):
            return False
        try:
            await conn.execute(f'create database "{name}"')
        except asyncpg.DuplicateDatabaseError:
            return False
        return True
    finally:
        await conn.close()


async def drop_database(server_url: str, name: str) -> None:
    """Drop database `name` if present, kicking out its sessions (tests' throwaway databases)."""
    if not _DB_NAME.match(name):
        raise ValueError(f"refusing odd database name {name!r}")
    conn = await asyncpg.connect(libpq_url(server_url))
    try:
        await conn.execute(f'drop database if exists "{name}" with (force)')
    finally:
        await conn.close()


@dataclass(frozen=True)
class ExternalPostgres:
    """A server someone else runs (BAKAT_POSTGRES_URL): start/stop do nothing."""

    url: str

    @property
    def server_url(self) -> str:
        return libpq_url(self.url)

    def database_url(self, name: str) -> str:
        return async_database_url(self.url, name)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass(frozen=True)
class _PidFile:
    """The parts of postmaster.pid we need (pid, port, listen address, status)."""

    pid: int
    port: int | None
    listen: str
    status: str

    @classmethod
    def read(cls, data_dir: Path) -> _PidFile | None:
        try:
            lines = (data_dir / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return None
        lines += [""] * (8 - len(lines))
        try:
            return cls(
                pid=int(lines[0]),
                port=int(lines[3]) if lines[3].strip() else None,
                listen=lines[5].strip(),
                status=lines[7].strip(),
            )
        except ValueError:
            return None


class EmbeddedPostgres:
    """A PostgreSQL 16 cluster from the `pgserver` wheel, on TCP, trust auth, superuser `postgres`.

    The data directory survives stop/start. A server left running on it (crashed runner) is reused
    when it listens where we want, else stopped and restarted. A lock file next to the data dir keeps
    two runners from sharing it.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        host: str = "127.0.0.1",
        *,
        unsafe_fast: bool = False,
        start_timeout_s: float = 60.0,
        stop_with_parent: bool = True,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.port = port
        self.host = host
        self.unsafe_fast = unsafe_fast
        self.start_timeout_s = start_timeout_s
        self.log_file = self.data_dir / "postgres.log"
        self.stop_with_parent = stop_with_parent
        self.reused = False
        self._watchdog: ManagedProcess | None = None
        self._pid: int | None = None
        self._lock: IO[str] | None = None
        self._run_as: str | None = ROOT_RUN_AS if os.geteuid() == 0 else None

    # --- URLs -------------------------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return async_database_url(self.server_url, name)

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while we run it."""
        return self._pid

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        self._acquire_lock()
        try:
            self._prepare_dirs()
            initialised = (self.data_dir / "PG_VERSION").exists()
            if not (initialised and self._adopt_or_stop_leftover()):
                require_free_port(self.port, self.host, "embedded PostgreSQL", "BAKAT_EMBEDDED_PG_PORT")
                if not initialised:
                    self._initdb()
                self._pg_ctl_start()
            if self.stop_with_parent:
                self._start_watchdog()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """`pg_ctl stop -m fast`; SIGKILL the postmaster if that fails. Idempotent."""
        if self._watchdog is not None:
            self._watchdog.kill()  # SIGKILL: its SIGTERM handler would stop the server behind our back
            self._watchdog = None
        if self._pid is None:
            self._release_lock()
            return
        try:
            if self._is_running():
                result = self._pg_ctl_stop()
                if result.returncode != 0:
                    log.warning("pg_ctl stop failed: %s", result.stdout.strip())
            # pg_ctl returns once postmaster.pid is gone; the process itself exits a moment later.
            if not _wait_pid_gone(self._pid, 10.0):
                log.warning("PostgreSQL (pid %d) did not stop; killing it", self._pid)
                os.kill(self._pid, signal.SIGKILL)
                _wait_pid_gone(self._pid, 5.0)
        finally:
            self._pid = None
            self._release_lock()

    def is_running(self) -> bool:
        return self._pid is not None and pid_alive(self._pid)

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- steps ------------------------------------------------------------------------------------

    def _acquire_lock(self) -> None:
        if self._lock is not None:
            return
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        lock = (self.data_dir.parent / f".{self.data_dir.name}.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise PostgresError(
                f"{self.data_dir} is in use by another devstack runner (stop it first, "
                "or use another BAKAT_STATE_DIR)"
            ) from None
        self._lock = lock

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing drops the flock
            self._lock = None

    def _prepare_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._run_as is None:
            return
        # Same preparation pgserver does as root: a user the server can run as, which must be able
        # to traverse to the data dir and read the bundled binaries and libraries.
        pg_bin = _pg_bin_dir()
        from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists(self._run_as)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(pg_bin)
        read = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(pg_bin, read | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(pg_bin.parent / "lib", read)
        entry = pwd.getpwnam(self._run_as)
        os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self.data_dir.chmod(0o700)

    def _initdb(self) -> None:
        log.info("initialising PostgreSQL cluster in %s", self.data_dir)
        result = self._pg([
            "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust", "--auth-local=trust",
            "--encoding=UTF8", "--locale=C",
        ])
        if result.returncode != 0:
            raise PostgresError(f"initdb failed in {self.data_dir}:\n{result.stdout}")

    def _adopt_or_stop_leftover(self) -> bool:
        """A server from an earlier run still up: reuse it if it listens where we want, else stop it."""
        pidfile = _PidFile.read(self.data_dir)
        if pidfile is None or not self._is_running():
            return False
        if pidfile.port == self.port and pidfile.listen == self.host and pidfile.status == "ready":
            log.info("reusing PostgreSQL running on %s:%d (pid %d)", self.host, self.port, pidfile.pid)
            self._pid = pidfile.pid
            self.reused = True
            return True
        log.info("stopping leftover PostgreSQL on port %s (pid %d)", pidfile.port, pidfile.pid)
        result = self._pg_ctl_stop()
        if result.returncode != 0:
            raise PostgresError(f"could not stop leftover server in {self.data_dir}:\n{result.stdout}")
        _wait_pid_gone(pidfile.pid, 10.0)  # its port is free only once the process is gone
        return False

    def _pg_ctl_start(self) -> None:
        # -k '': no unix socket (pgdata paths can be too long for one; TCP is all we use).
        # max_connections: four services' pools (20 each, docs/CONFIGURATION.md), scaled-out replicas
        # in the resilience tests, the tests' own engines and the operator commands; 100 was too close.
        options = f"-h {self.host} -p {self.port} -k '' -c max_connections={MAX_CONNECTIONS}"
        if self.unsafe_fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        log.info("starting PostgreSQL on %s:%d (data %s)", self.host, self.port, self.data_dir)
        stale = _PidFile.read(self.data_dir)
        # -W (no wait), then we watch postmaster.pid ourselves: pg_ctl -w compares wall-clock start
        # times and once sat out its whole timeout next to a server that was ready.
        result = self._pg(["pg_ctl", "-D", str(self.data_dir), "-W", "-l", str(self.log_file),
                           "-o", options, "start"])
        if result.returncode != 0:
            raise PostgresError(f"pg_ctl start failed:\n{result.stdout}\n--- log ---\n{self._log_tail()}")
        self._wait_ready(stale_pid=stale.pid if stale else None)

    def _wait_ready(self, stale_pid: int | None) -> None:
        """Until postmaster.pid says `ready` for a live postmaster that is not a stale file's."""
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            pidfile = _PidFile.read(self.data_dir)
            if pidfile is not None and pidfile.pid != stale_pid:
                self._pid = pidfile.pid  # from now on stop() can take it down, even if we fail below
                if pidfile.status == "ready" and pid_alive(pidfile.pid):
                    return
            # Dead after writing its pid file (maybe removed again), or no pid file in 10 s: failed.
            failed = not pid_alive(self._pid) if self._pid is not None else elapsed > 10.0
            if failed or elapsed > self.start_timeout_s:
                raise PostgresError(
                    f"PostgreSQL did not become ready within {elapsed:.1f}s\n--- log ---\n{self._log_tail()}"
                )
            time.sleep(0.02)

    def _pg_ctl_stop(self) -> subprocess.CompletedProcess[str]:
        return self._pg(["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "30", "stop"])

    def _start_watchdog(self) -> None:
        """A child of ours that stops the (detached) server if we die without calling stop()."""
        uid, gid = os.getuid(), os.getgid()
        if self._run_as is not None:
            entry = pwd.getpwnam(self._run_as)
            uid, gid = entry.pw_uid, entry.pw_gid
        script = Path(__file__).with_name("pg_watchdog.py")
        self._watchdog = ManagedProcess(
            "pg-watchdog",
            [sys.executable, "-I", str(script), str(os.getpid()), str(uid), str(gid),
             str(_pg_bin_dir() / "pg_ctl"), str(self.data_dir)],
        )
        self._watchdog.start()
        if not self._watchdog.wait_for_line("watching", 10.0):
            raise PostgresError(f"PostgreSQL watchdog did not start:\n{self._watchdog.tail()}")

    # --- helpers ----------------------------------------------------------------------------------

    def _is_running(self) -> bool:
        """`pg_ctl status` as the server's user: it also sees through stale postmaster.pid files."""
        return self._pg(["pg_ctl", "-D", str(self.data_dir), "status"]).returncode == 0

    def _pg(self, argv: list[str], timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """Run a bundled binary as the server's OS user; output merged into `.stdout`.

        Output goes through a temp file, not a pipe: the postmaster pg_ctl forks could otherwise
        hold the pipe open and hang us (pgserver hit that too).
        """
        cmd = [str(_pg_bin_dir() / argv[0]), *argv[1:]]
        entry = pwd.getpwnam(self._run_as) if self._run_as is not None else None
        with tempfile.TemporaryFile("w+") as out:
            result = subprocess.run(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, text=True,
                cwd=self.data_dir, timeout=timeout, check=False,
                process_group=0,  # a terminal Ctrl-C is ours to handle, not initdb's/pg_ctl's
                user=entry.pw_uid if entry else None,
                group=entry.pw_gid if entry else None,
                extra_groups=[] if entry else None,  # drop root's supplementary groups
            )
            out.seek(0)
            return subprocess.CompletedProcess(cmd, result.returncode, out.read(), None)

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _pg_bin_dir() -> Path:
    """pgserver's bundled bin/ (importing pgserver warns about XDG_RUNTIME_DIR, which we never use)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def _wait_pid_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True
