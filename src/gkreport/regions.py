"""Province and city of an agency, through the cpca gazetteer: the pipeline's "region" stage.

cpca costs 1.4 ms per call and 0.06 ms per name in a list, so a group of reports is looked up in one call.
A zone cpca does not list (data/regions.json) is looked up as the division it covers, and cpca's answer is
kept only where the agency's name supports it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

# Suffixes cpca gives to prefecture-level names; stripped to test that the name really is in the agency.
_CITY_SUFFIXES: tuple[str, ...] = ("自治州", "地区", "市", "盟", "州")
_PROVINCE_SUFFIXES: tuple[str, ...] = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
_DISTRICT_SUFFIXES: tuple[str, ...] = ("自治县", "自治旗", "县", "区", "市", "旗")


def _strip(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def regions_of(agencies: list[str | None]) -> list[tuple[str | None, str | None]]:
    """(province, city) of each agency name via cpca, in one call (cpca costs 1.4 ms per call, 0.06 ms per
    name in a list); a name cpca only guessed from a stray 县/区 is dropped."""
    named_agencies = [a for a in agencies if a]
    if not named_agencies:
        return [(None, None)] * len(agencies)
    import cpca  # slow first import (loads its address table); cached per process by Python

    looked_up = [_gazetteer_name(a) for a in named_agencies]
    table = cpca.transform(looked_up)
    found = iter(zip(looked_up, table["省"], table["市"], table["区"], strict=True))
    return [_trusted_region(*next(found)) if agency else (None, None) for agency in agencies]


@lru_cache(maxsize=1)
def _zone_divisions() -> dict[str, str]:
    raw = resources.files("gkreport.data").joinpath("regions.json").read_text(encoding="utf-8")
    return dict(json.loads(raw)["zone_divisions"])


def _gazetteer_name(agency: str) -> str:
    """The agency name as the gazetteer can read it: a zone it does not list (data/regions.json) becomes the
    administrative division the zone covers."""
    for zone, division in _zone_divisions().items():
        if zone in agency:
            return agency.replace(zone, division)
    return agency


def region_of(agency: str | None) -> tuple[str | None, str | None]:
    """(province, city) of one agency name; see `regions_of`."""
    return regions_of([agency])[0]


def _trusted_region(agency: str, province: object, city: object, district: object) -> tuple[str | None, str | None]:
    """cpca's 省/市/区 for `agency` (NaN where it found none), kept only where the name supports them."""
    province, city, district = (name if isinstance(name, str) else None for name in (province, city, district))

    def named(name: str | None, suffixes: tuple[str, ...]) -> bool:
        stem = _strip(name, suffixes) if name else ""
        return len(stem) >= 2 and stem in agency

    # cpca fills a province from a city or district and vice versa; trust its answer only when a city or
    # district it found is really named in the agency (not a guess from a bare 县 or 区)
    district_ok = named(district, _DISTRICT_SUFFIXES)
    city_ok = bool(city) and (district_ok or named(city, _CITY_SUFFIXES))
    province_ok = bool(province) and (city_ok or district_ok or named(province, _PROVINCE_SUFFIXES))
    return (province if province_ok else None), (city if city_ok else None)
