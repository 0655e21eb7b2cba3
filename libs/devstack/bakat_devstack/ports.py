"""Free-port helpers: the embedded servers panic or refuse to start on a taken port, so check first."""

from __future__ import annotations

import socket


class PortInUseError(RuntimeError):
    """A port we were told to listen on is already taken."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port the kernel says is free right now (tiny race until someone binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def is_port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Mirror the servers (PostgreSQL, tokio) which set SO_REUSEADDR: TIME_WAIT leftovers are fine.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def require_free_port(port: int, host: str, what: str, env_var: str | None = None) -> None:
    """Fail with a message a human can act on instead of a panic from the server."""
    if is_port_free(port, host):
        return
    hint = f" (set {env_var} to use another port)" if env_var else ""
    raise PortInUseError(f"cannot start {what}: {host}:{port} is already in use{hint}")
