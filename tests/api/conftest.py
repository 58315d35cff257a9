"""Fixtures shared by the API tests of one subject: the map's small world on Cần Thơ."""

from tests.api.map_world import can_tho, world  # noqa: F401
