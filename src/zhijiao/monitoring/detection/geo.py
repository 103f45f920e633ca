"""Where an IP address is: a stand-in for a GeoIP database, which the platform does not ship offline.

The stand-in table maps the private block ``10.R.0.0/16`` to the province of row ``R`` below (the simulator
allocates addresses from it); every other address is "unknown" and never counts as travel. A deployment
with a real GeoIP database sets ``ZJ_MONITORING_GEOIP`` to the dotted path of a function
``(ip: str) -> str | None`` returning a province code of GB/T 2260 (two digits) that is a key of
``REGIONS`` (add rows for more places).
"""

from __future__ import annotations

import math
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

# code: (name, latitude, longitude of the provincial capital)
REGIONS: dict[str, tuple[str, float, float]] = {
    "11": ("北京", 39.90, 116.40),
    "31": ("上海", 31.23, 121.47),
    "33": ("浙江", 30.27, 120.15),
    "44": ("广东", 23.13, 113.26),
    "51": ("四川", 30.66, 104.07),
    "61": ("陕西", 34.34, 108.94),
    "42": ("湖北", 30.59, 114.31),
    "23": ("黑龙江", 45.80, 126.53),
    "53": ("云南", 25.04, 102.71),
    "65": ("新疆", 43.83, 87.62),
    "32": ("江苏", 32.06, 118.80),
    "37": ("山东", 36.67, 117.00),
}
STAND_IN_ROWS = list(REGIONS)  # 10.R.x.x → STAND_IN_ROWS[R]
CODES = {code: i + 1 for i, code in enumerate(REGIONS)}  # region code → small int (0 = unknown)
CODE_OF = {i: code for code, i in CODES.items()}


def stand_in(ip: str) -> str | None:
    parts = ip.split(".")
    if len(parts) != 4 or parts[0] != "10" or not parts[1].isdigit():
        return None
    row = int(parts[1])
    return STAND_IN_ROWS[row] if row < len(STAND_IN_ROWS) else None


@lru_cache(maxsize=4)
def _locator(path: str):
    return import_string(path) if path else stand_in


@lru_cache(maxsize=200_000)
def region_number(ip: str) -> int:
    """The small region number of ``ip`` for the event table (0: unknown)."""
    if not ip:
        return 0
    code = _locator(getattr(settings, "ZJ_MONITORING_GEOIP", ""))(ip)
    return CODES.get(code or "", 0)


def stand_in_address(code: str, host: int) -> str:
    """An address the stand-in places in region ``code`` (used by the simulator)."""
    return f"10.{STAND_IN_ROWS.index(code)}.{(host >> 8) & 255}.{host & 255}"


def distance_km(a: int, b: int) -> float:
    """Great-circle distance between the capitals of two region numbers."""
    _, lat1, lon1 = REGIONS[CODE_OF[a]]
    _, lat2, lon2 = REGIONS[CODE_OF[b]]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def distance_table():
    """Distances between all region numbers as a (n+1)×(n+1) list (row/column 0: unknown → 0 km)."""
    n = len(REGIONS)
    return [[0.0 if 0 in (a, b) else distance_km(a, b) for b in range(n + 1)] for a in range(n + 1)]


def mask_ip(ip: str) -> str:
    parts = ip.split(".")
    if len(parts) == 4:
        return f"{parts[0]}.{parts[1]}.*.*"
    return ip.split(":")[0] + ":*" if ":" in ip else "*"
