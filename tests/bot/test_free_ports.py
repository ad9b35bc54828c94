"""The channel tests' servers take a port the kernel gives them, so they pass beside a running `make run`
(whose backend has 8000, Sanic's default): Sanic reads `port=0` as "no port" and binds 8000."""
from __future__ import annotations

import asyncio
import contextlib
import socket

import httpx
from sanic import Sanic
from sanic.response import text

from tests.support.ports import serving


def test_a_test_server_starts_while_port_8000_is_taken():
    holder = socket.socket()
    with contextlib.suppress(OSError):  # already taken (make run is up): that is the case itself
        holder.bind(("127.0.0.1", 8000))
        holder.listen(1)

    async def main() -> str:
        Sanic.test_mode = True
        app = Sanic("free_port_test", configure_logging=False)
        app.add_route(lambda request: text("here"), "/")
        async with serving(app) as port, httpx.AsyncClient() as client:
            assert port != 8000
            return (await client.get(f"http://127.0.0.1:{port}/")).text

    try:
        assert asyncio.run(main()) == "here"
    finally:
        holder.close()
