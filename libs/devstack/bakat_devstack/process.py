"""Child processes we own: own process group, die with us, output kept (tail) and optionally echoed."""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

_PR_SET_PDEATHSIG = 1
_echo_lock = threading.Lock()


def _make_preexec(death_signal: int) -> Callable[[], None] | None:
    """Ask the kernel to signal the child when we die, even by SIGKILL (Linux only).

    Note: "we" is the *thread* that forks; spawn from a long-lived thread (the main/event-loop one).
    """
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before fork: the child only calls into it
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, death_signal, 0, 0, 0)
        if os.getppid() != parent:  # we died between fork and prctl
            os._exit(1)

    return preexec


class ManagedProcess:
    """A supervised child: started in its own process group so a terminal Ctrl-C reaches only us."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        log_file: Path | None = None,
        echo: TextIO | None = None,
        tail_lines: int = 200,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self._env = dict(env) if env is not None else None
        self._cwd = cwd
        self._log_file = log_file
        self._echo = echo
        self._tail: collections.deque[str] = collections.deque(maxlen=tail_lines)
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> None:
        self._proc = subprocess.Popen(
            self.argv,
            env=self._env,
            cwd=self._cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            process_group=0,
            preexec_fn=_make_preexec(signal.SIGTERM),
        )
        self._reader = threading.Thread(target=self._pump, name=f"output-{self.name}", daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        log = None
        if self._log_file is not None:
            self._log_file.parent.mkdir(parents=True, exist_ok=True)
            log = self._log_file.open("w", encoding="utf-8")
        try:
            for raw in self._proc.stdout:
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                self._tail.append(line)
                if log is not None:
                    log.write(line + "\n")
                    log.flush()
                if self._echo is not None:
                    with _echo_lock:
                        self._echo.write(f"[{self.name}] {line}\n")
                        self._echo.flush()
        finally:
            if log is not None:
                log.close()

    @property
    def reaped(self) -> bool:
        """Exited and cleaned up (or never started): nothing left to stop."""
        return self._proc is None or self._proc.returncode is not None

    def poll(self) -> int | None:
        """Exit code if the child has exited, else None. Does not reap: see `_peek_exit`."""
        if self._proc is None:
            return None
        if self._proc.returncode is not None:
            return self._proc.returncode
        try:
            return _peek_exit(self._proc.pid)
        except ChildProcessError:  # reaped behind our back
            return self._proc.wait()

    def is_running(self) -> bool:
        return self._proc is not None and self.poll() is None

    def tail(self, lines: int = 40) -> str:
        # Give the reader a moment to drain what a dying child wrote last.
        if self._reader is not None and self.poll() is not None:
            self._reader.join(timeout=1.0)
        return "\n".join(list(self._tail)[-lines:])

    def wait_for_line(self, text: str, timeout: float) -> bool:
        """Wait until the child has printed a line containing `text` (False on timeout or exit)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in list(self._tail)):
                return True
            if self.poll() is not None:
                return False
            time.sleep(0.01)
        return False

    def send_stop(self) -> None:
        """SIGTERM the whole group (uvicorn workers, anything the child spawned)."""
        if self._proc is not None and self._proc.returncode is None:
            _killpg(self._proc.pid, signal.SIGTERM)

    def wait_stopped(self, deadline: float) -> None:
        """Wait until `deadline` (time.monotonic), then SIGKILL the group if it is still there."""
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        try:
            while _peek_exit(proc.pid) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            if _peek_exit(proc.pid) is None:
                _killpg(proc.pid, signal.SIGKILL)
                os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
            # The leader is a zombie now, so its pgid cannot have been recycled: safe to sweep the group.
            _killpg(proc.pid, signal.SIGKILL)
        except ChildProcessError:
            pass  # reaped behind our back: its pid may be anyone's now, so no sweep
        proc.wait()
        if self._reader is not None:
            self._reader.join(timeout=2.0)

    def stop(self, timeout: float = 5.0) -> None:
        self.send_stop()
        self.wait_stopped(time.monotonic() + timeout)

    def kill(self) -> None:
        """SIGKILL the group now and reap it."""
        if self._proc is not None and self._proc.returncode is None:
            _killpg(self._proc.pid, signal.SIGKILL)
        self.wait_stopped(time.monotonic())


def _peek_exit(pid: int) -> int | None:
    """Exit status of our child without reaping it (WNOWAIT), so its pid stays ours until we clean up.

    Raises ChildProcessError if it was reaped by someone else.
    """
    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    if info is None:
        return None
    return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


def pid_alive(pid: int) -> bool:
    """True while `pid` runs; a zombie waiting for its (non-us) parent to reap it counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return not sys.platform.startswith("linux")
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _killpg(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop_all(processes: Sequence[ManagedProcess], timeout: float) -> None:
    """Stop several children in parallel: SIGTERM all, one shared grace period, then SIGKILL."""
    for proc in processes:
        proc.send_stop()
    deadline = time.monotonic() + timeout
    for proc in processes:
        proc.wait_stopped(deadline)
