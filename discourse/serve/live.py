"""The app on a free loopback port in a background thread, for tests and benchmarks.

    with LiveServer(db) as server:
        urllib.request.urlopen(server.url + "/login")

The server stops when the block ends, or by itself after ``lifetime`` seconds at most.
"""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Self


class LiveServer:
    def __init__(self, db: str | Path, lifetime: float = 600.0, secure_cookies: bool = False):
        self.db, self.lifetime, self.secure_cookies = Path(db), lifetime, secure_cookies
        self.server = None
        self.thread = None
        self.timer = None

    def __enter__(self) -> Self:
        import uvicorn

        from .app import LOOPBACK_HOSTS, create_app

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(self.db, secure_cookies=self.secure_cookies, allowed_hosts=LOOPBACK_HOSTS)
        config = uvicorn.Config(app, log_level="warning",
                                lifespan="off", server_header=False, backlog=256)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        self.timer = threading.Timer(self.lifetime, self.stop)
        self.timer.daemon = True
        self.timer.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(15)

    def __exit__(self, *exc) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.stop()
