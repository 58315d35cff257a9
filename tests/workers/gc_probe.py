"""A WSGI app that answers how many objects its process's garbage collector holds frozen
(`gc.freeze`): served by gunicorn as production serves the API (tests/workers/test_serving.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from typing import Any


def app(_environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(gc.get_freeze_count()).encode()]
