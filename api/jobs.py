"""Enqueueing background jobs from a request, once its transaction has committed.

The one module of `api` that imports the queue plumbing of `workers` (see the import-linter
contract): views name jobs by dotted path and never import the jobs themselves.
"""

from __future__ import annotations

from typing import Any

from api import database
from workers.queue import enqueue


def enqueue_after_commit(func_path: str, *args: Any) -> None:
    """Queue `func_path(*args)` after this request commits (never if it rolls back)."""
    settings = database.settings()
    database.on_commit(lambda: enqueue(settings, func_path, *args))
