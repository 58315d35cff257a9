"""The service served for real on 127.0.0.1, for the tests that need a real client (tuspy,
a browser) rather than Flask's test client."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server

from api.app import create_app
from inspection.config import Settings


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, one thread per request, until the block ends."""
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
