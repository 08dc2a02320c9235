"""Serving on loopback for the tests: an ASGI app in a background thread, or `tabe serve` as a process."""

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx
import uvicorn

TABE = Path(sys.executable).parent / "tabe"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`with Server(app) as server:` serves `app` at `server.base_url` until the block ends.

    The socket is bound before uvicorn starts, so port 0 gives a free port with no race for it.
    No access log and warnings only: benchmarks push thousands of requests a second through here.
    """

    def __init__(self, app: object, host: str = "127.0.0.1", port: int = 0, lifespan: str = "on") -> None:
        self.host = host
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        self.base_url = f"http://{host}:{self.port}"
        config = uvicorn.Config(app, host=host, log_level="warning", access_log=False, lifespan=lifespan,
                                timeout_graceful_shutdown=2)
        self.uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.uvicorn.run, kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self) -> "Server":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._socket.close()
                raise RuntimeError(f"the server at {self.base_url} did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self.uvicorn.should_exit = True
        self._thread.join(timeout=20)
        self._socket.close()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


class BackgroundApp:
    """A fake provider's app, served in a background thread while started: `with Fake() as fake:`."""

    app: object

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._server: Server | None = None

    def start(self) -> Self:
        """Serve on a background thread; returns once the server accepts connections."""
        self._server = Server(self.app, self.host, self.port, lifespan="off").start()
        self.port = self._server.port
        return self

    def stop(self) -> None:
        """Stop serving and wait for the server thread."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def origin(self) -> str:
        """Scheme, host and port: what stands in for the provider's own address."""
        return f"http://{self.host}:{self.port}"

    def serve_until_interrupted(self, listening: Callable[[Self], str]) -> None:
        """Serve until Ctrl-C, as its own process for benchmarks; once it listens, print `listening(self)` (its
        address), so a benchmark can wait for that line instead of polling the port."""
        with self:
            print(listening(self), flush=True)
            with suppress(KeyboardInterrupt):
                threading.Event().wait()

    @property
    def stopping(self) -> bool:
        return self._server is not None and self._server.uvicorn.should_exit

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


@contextmanager
def serving(environment: dict[str, str], log: Path, tabe: Path = TABE, cwd: Path | None = None) -> Iterator[str]:
    """`tabe serve` (this environment's, or the `tabe` given) as its own process, configured by `environment`,
    run in `cwd` and logging to `log`.

    Yields its address once /healthz answers; afterwards stops it as a platform would (SIGTERM) and
    fails unless it shut down cleanly.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen([str(tabe), "serve", "--port", str(port)], env=environment, cwd=cwd,
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"tabe serve did not start:\n{log.read_text()}")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status says what stopped it.
    if process.returncode not in (0, -signal.SIGTERM) or "Application shutdown complete" not in log.read_text():
        raise RuntimeError(f"tabe serve stopped with {process.returncode}:\n{log.read_text()}")


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz").status_code == 200
    except httpx.TransportError:
        return False
