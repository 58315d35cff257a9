"""factory_boy factories bound to the test's session."""

from __future__ import annotations

import factory
from argon2 import PasswordHasher
from factory.alchemy import SQLAlchemyModelFactory
from geoalchemy2.elements import WKTElement
from sqlalchemy.orm import Session

from inspection.models import Site, User

PASSWORD = "mat-khau-thu-nghiem"
_HASH = PasswordHasher().hash(PASSWORD)

# Cần Thơ's centre (Ninh Kiều); a point inside the city.
CAN_THO = (105.7469, 10.0452)


def bind(session: Session) -> None:
    for f in _ALL:
        f._meta.sqlalchemy_session = session


def point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon} {lat})", srid=4326)


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"


class UserFactory(_Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password_hash = _HASH
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    role = "inspector"
    agency = "skhcn"
    province_code = "92"


class SiteFactory(_Base):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Bưu cục KT1 số {n}")
    kind = "kt1_provider"
    organization = "Bưu điện thành phố Cần Thơ"
    address = "Ninh Kiều, Cần Thơ"
    location = factory.LazyFunction(lambda: point(*CAN_THO))
    province_code = "92"


_ALL: list[type[_Base]] = [UserFactory, SiteFactory]
