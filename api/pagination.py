"""Pagination of SQLAlchemy selects with flask-smorest's X-Pagination header (max 500)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from api import database

MAX_PAGE_SIZE = 500
PAGE = {"page_size": 50, "max_page_size": MAX_PAGE_SIZE}


def paginate_select(stmt: Select[Any], pagination_parameters: Any) -> list[Any]:
    """Run `stmt` for the requested page and set the total item count for the header."""
    session = database.session()
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pagination_parameters.item_count = total or 0
    page, size = pagination_parameters.page, pagination_parameters.page_size
    offset = (page - 1) * size
    if offset >= (total or 0):
        return []  # also keeps absurd page numbers from overflowing the database's integers
    return list(session.scalars(stmt.limit(size).offset(offset)))
