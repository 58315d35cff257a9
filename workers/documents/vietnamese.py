"""How official documents write dates, times, numbers, positions and answers in Vietnamese
(Decree 30/2020/NĐ-CP: days below 10 and months 1-2 padded with a zero)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

YES_NO_NA = {"yes": "Có", "no": "Không", "na": "Không áp dụng"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def local(moment: datetime) -> datetime:
    """`moment` (timezone-aware) in Vietnam time."""
    if moment.utcoffset() is None:
        raise ValueError("a naive datetime has no place in a document; give it a time zone")
    return moment.astimezone(VIETNAM)


def date_words(day: date) -> str:
    """"ngày 05 tháng 02 năm 2026", "ngày 23 tháng 11 năm 2026"."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, day: date) -> str:
    """The date line under the motto: "Cần Thơ, ngày 23 tháng 11 năm 2026"."""
    return f"{place}, {date_words(day)}"


def short_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def clock(moment: datetime) -> str:
    """"08 giờ 30 phút" in Vietnam time."""
    t = local(moment)
    return f"{t.hour:02d} giờ {t.minute:02d} phút"


def span(start: datetime, end: datetime) -> str:
    """"từ 08 giờ 30 phút đến 11 giờ 15 phút ngày 23/11/2026" (Vietnam time)."""
    a, b = local(start), local(end)
    if a.date() == b.date():
        return f"từ {clock(a)} đến {clock(b)} ngày {short_date(a.date())}"
    return (f"từ {clock(a)} ngày {short_date(a.date())} "
            f"đến {clock(b)} ngày {short_date(b.date())}")


def enumeration(items: list[str]) -> str:
    """"A", "A và B", "A, B và C"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def stamp(moment: datetime) -> str:
    """"23/11/2026 08:30" in Vietnam time."""
    t = local(moment)
    return f"{short_date(t.date())} {t.hour:02d}:{t.minute:02d}"


def position(lat: float | None, lon: float | None) -> str:
    """"10.045162, 105.746854" (latitude first, 6 decimals), or a note when there is none."""
    if lat is None or lon is None:
        return "Không có dữ liệu vị trí"
    return f"{lat:.6f}, {lon:.6f}"


def number(value: int | float | Decimal) -> str:
    """Vietnamese digits: "1.234", "95,5"."""
    text = f"{value:,}" if isinstance(value, int) else f"{Decimal(str(value)).normalize():,f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def answer_text(kind: str, value: object) -> str:
    """A stored answer as a person reads it: yes/no/na as "Có"/"Không"/"Không áp dụng",
    numbers with Vietnamese separators, ISO dates as dd/mm/yyyy, text as written."""
    if value is None or value == "":
        return "Chưa trả lời"
    if kind == "yes_no_na" and isinstance(value, str) and value in YES_NO_NA:
        return YES_NO_NA[value]
    if isinstance(value, bool):
        return YES_NO_NA["yes" if value else "no"]
    if isinstance(value, int | float | Decimal):
        return number(value)
    if isinstance(value, date):
        return short_date(value)
    if kind == "date" and isinstance(value, str):
        try:
            return short_date(date.fromisoformat(value))
        except ValueError:
            return value
    return nfc(str(value))
