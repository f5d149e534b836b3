"""One of several API processes sharing a port: the socket is bound with SO_REUSEPORT, so the kernel
spreads new connections over every live process, and one that dies (SIGKILL) takes only its own
connections with it while the supervisor restarts it."""

from __future__ import annotations

import socket
from typing import Any

import uvicorn


def reuse_port_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve_reuse_port(app: Any, host: str, port: int) -> None:
    """Serve `app` on host:port alongside the other API processes (blocking)."""
    sock = reuse_port_socket(host, port)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, backlog=2048)
    uvicorn.Server(config).run(sockets=[sock])
