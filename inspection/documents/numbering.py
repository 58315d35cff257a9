"""Gapless numbers per issuer, province and year, shared by every numbered document (notices
"TB-SKHCN", records "BB-SKHCN", reports "BC-SKHCN") on one counters table."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspection.models import NoticeCounter


def take_number(session: Session, *, issuer: str, province_code: str, year: int) -> int:
    """The next number of `issuer` in the province and year. Incrementing the counter locks
    its row (PostgreSQL) or the database for writing (SQLite) until the transaction ends:
    concurrent callers wait, and a rollback gives the number back, so numbers are neither
    shared nor skipped. The first number of a year creates the counter; two transactions
    doing so at once meet on its primary key and the second increments the first's."""
    key = (NoticeCounter.issuer == issuer, NoticeCounter.province_code == province_code,
           NoticeCounter.year == year)
    increment = (update(NoticeCounter).where(*key)
                 .values(last_number=NoticeCounter.last_number + 1)
                 .returning(NoticeCounter.last_number)
                 .execution_options(synchronize_session=False))
    number = session.execute(increment).scalar_one_or_none()
    if number is not None:
        return number
    try:
        with session.begin_nested():
            session.execute(insert(NoticeCounter).values(
                issuer=issuer, province_code=province_code, year=year, last_number=1))
        return 1
    except IntegrityError:
        return session.execute(increment).scalar_one()
