"""An ASGI app served by uvicorn on loopback, in a background thread of the test (or benchmark)."""

import socket
import threading
import time
from types import TracebackType

import uvicorn


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
