"""A throwaway Redis for the tests: Debian's redis-server on a free local port, a password, no
persistence, its files in a temporary directory, gone when the tests end (scripts/ensure-redis.sh
installs the program). `RedisClient` speaks just enough of the protocol (RESP) to check what Rasa's
lock store does, so no Redis client library is needed in the backend environment."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisClient:
    """One connection; `command("GET", "k")` returns the decoded reply (str, int, list or None)."""

    def __init__(self, port: int, password: str | None = None, db: int = 0, host: str = "127.0.0.1",
                 timeout: float = 5) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        if password:
            self.command("AUTH", password)
        if db:
            self.command("SELECT", db)

    def send(self, *args: str | int) -> None:
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            raw = str(arg).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
        self.sock.sendall(b"".join(parts))

    def read(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError("redis closed the connection")
        kind, rest = line[:1], line[1:-2].decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError(f"redis: {rest}")
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)[:-2]
            return data.decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError(f"unexpected reply from redis: {line!r}")

    def command(self, *args: str | int):
        self.send(*args)
        return self.read()

    def close(self) -> None:
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass


class Monitor:
    """Records every command the server runs (Redis's MONITOR) while the `with` block runs."""

    def __init__(self, port: int, password: str | None) -> None:
        self.client = RedisClient(port, password)
        self.client.sock.settimeout(None)  # quiet spells (a slow turn) must not end the recording
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> Monitor:
        assert self.client.command("MONITOR") == "OK"
        self._thread.start()
        return self

    def _read(self) -> None:
        try:
            while True:
                self.lines.append(self.client.read())
        except (OSError, ValueError, ConnectionError, RuntimeError):
            return

    def __exit__(self, *exc) -> None:
        time.sleep(0.2)  # the last commands of the turn reach the monitor
        self.client.sock.shutdown(socket.SHUT_RDWR)
        self.client.close()
        self._thread.join(timeout=5)

    def commands_on(self, key_fragment: str) -> list[str]:
        return [line for line in self.lines if key_fragment in line]


class TempRedis:
    def __init__(self, password: str | None = None) -> None:
        self.server = shutil.which("redis-server") or ("/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None)
        self.port = _free_port()
        self.password = password if password is not None else "redis-" + secrets.token_urlsafe(16)
        self.dir: Path | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def available(self) -> bool:
        return self.server is not None

    def start(self, timeout: float = 15) -> TempRedis:
        assert self.server, "redis-server is not installed (scripts/ensure-redis.sh)"
        self.dir = Path(tempfile.mkdtemp(prefix="lfpse-redis-"))
        cmd = [self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(self.dir), "--daemonize", "no", "--logfile", str(self.dir / "redis.log")]
        if self.password:
            cmd += ["--requirepass", self.password]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        end = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.log()}")
            try:
                client = self.client()
                try:
                    if client.command("PING") == "PONG":
                        return self
                finally:
                    client.close()
            except (OSError, RuntimeError):
                pass
            if time.monotonic() > end:
                raise TimeoutError(f"redis-server did not start: {self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        path = self.dir / "redis.log" if self.dir else None
        return path.read_text()[-2000:] if path and path.exists() else ""

    def client(self, db: int = 0) -> RedisClient:
        return RedisClient(self.port, self.password, db)

    def monitor(self) -> Monitor:
        return Monitor(self.port, self.password)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
