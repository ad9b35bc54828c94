"""Servers in tests listen on a port the kernel gives them, never a default: a test must pass beside a
running `make run` (whose backend has 8000) and beside another test run.

Sanic takes `port=0` as "no port given" and binds its default, 8000; a socket bound here to port 0 and
handed over as `sock=` keeps the kernel's choice, with no window in which another process can take it."""
from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


def listening_socket(host: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(100)
    sock.set_inheritable(True)
    return sock


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[int]:
    """A Sanic app served on a kernel-given port until the block ends; yields the port."""
    sock = listening_socket()
    server = await app.create_server(sock=sock, return_asyncio_server=True)
    await server.startup()
    await server.start_serving()
    try:
        yield sock.getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()
