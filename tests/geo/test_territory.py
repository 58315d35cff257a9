"""Vietnam's coarse extent: every part of the country in, (0, 0) and other continents out."""

from __future__ import annotations

import pytest

from geo import territory

INSIDE = {
    "Lũng Cú (northernmost)": (105.316, 23.392),
    "A Pa Chải (westernmost)": (102.144, 22.399),
    "Mũi Đôi (easternmost, mainland)": (109.464, 12.650),
    "Mũi Cà Mau": (104.720, 8.600),
    "Phú Quốc": (103.960, 10.220),
    "Thổ Chu": (103.470, 9.300),
    "Côn Đảo": (106.610, 8.690),
    "Bạch Long Vĩ": (107.730, 20.130),
    "Hoàng Sa (Phú Lâm)": (112.330, 16.830),
    "Trường Sa Lớn": (111.920, 8.640),
    "Song Tử Tây": (114.330, 11.430),
    "Ninh Kiều, Cần Thơ": (105.7469, 10.0452),
}
OUTSIDE = {
    "null island": (0.0, 0.0),
    "Paris": (2.3522, 48.8566),
    "lat and lon swapped": (10.0452, 105.7469),
    "longitude negated": (-105.7469, 10.0452),
    "latitude negated": (105.7469, -10.0452),
    "Bangkok": (100.50, 13.75),
    "Manila": (120.98, 14.60),
}


@pytest.mark.parametrize("name", INSIDE)
def test_every_part_of_the_country_is_inside(name):  # type: ignore[no-untyped-def]
    assert territory.in_vietnam(*INSIDE[name])


@pytest.mark.parametrize("name", OUTSIDE)
def test_null_island_swapped_coordinates_and_other_countries_are_outside(name):  # type: ignore[no-untyped-def]
    assert not territory.in_vietnam(*OUTSIDE[name])
