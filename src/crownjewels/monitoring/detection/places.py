"""Where and when, as detection needs them: country centroids and main zones (a small table
in data/countries.csv), IP networks (/24 for IPv4, /48 for IPv6), great-circle distance, and a
person's local clock with its zone's abbreviation."""

from __future__ import annotations

import csv
import ipaddress
import math
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_TABLE = Path(__file__).parent / "data" / "countries.csv"


def _read() -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    centroids: dict[str, tuple[float, float]] = {}
    zones: dict[str, str] = {}
    with _TABLE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].upper()
            centroids[code] = (float(row["latitude"]), float(row["longitude"]))
            zones[code] = row["timezone"]
    return centroids, zones


#: country code → (latitude, longitude) of its centre; country code → its main zone
CENTROIDS, MAIN_ZONES = _read()
_EARTH_KM = 6371.0


def distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two countries' centres; None when one is unknown."""
    first, second = CENTROIDS.get(a), CENTROIDS.get(b)
    if first is None or second is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*first, *second))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def network_of(ip: str) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network of an address; None when it is not one."""
    if ip.count(".") == 3 and ":" not in ip:
        head, _, last = ip.rpartition(".")
        if last.isdigit():
            return head + ".0/24"
        return None
    try:
        return str(ipaddress.ip_network(f"{ip}/48", strict=False))
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def zone(name: str | None, country: str | None = None) -> ZoneInfo:
    """A zone by its IANA name, else the country's main zone, else UTC."""
    for candidate in (name, MAIN_ZONES.get((country or "").upper())):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


_OFFSETS: dict[tuple[ZoneInfo, int], int] = {}


def offset_seconds(tz: ZoneInfo, epoch: float) -> int:
    """The zone's offset from UTC at an instant, in seconds (cached per zone and UTC hour:
    zones change offset on the hour or half hour, and no zone does so more than hourly)."""
    key = (tz, int(epoch // 1800))
    offset = _OFFSETS.get(key)
    if offset is None:
        if len(_OFFSETS) > 200_000:
            _OFFSETS.clear()
        delta = datetime.fromtimestamp(epoch, tz).utcoffset()
        offset = _OFFSETS[key] = int(delta.total_seconds()) if delta is not None else 0
    return offset


def abbreviation(tz: ZoneInfo, epoch: float) -> str:
    """The zone's abbreviation at an instant (IST, CET); `UTC+04` where it has none."""
    name = datetime.fromtimestamp(epoch, tz).tzname() or "UTC"
    if name[0] in "+-":
        return f"UTC{name}"
    return name


def clock(tz: ZoneInfo, epoch: float) -> str:
    """`02:10` in the zone."""
    return datetime.fromtimestamp(epoch, tz).strftime("%H:%M")


def local_date(tz: ZoneInfo, epoch: float) -> str:
    """`Sat 2026-11-28` in the zone (the weekday: off-hours are often a weekend)."""
    return datetime.fromtimestamp(epoch, tz).strftime("%a %Y-%m-%d")


def utc(epoch: float) -> datetime:
    """An instant as an aware UTC datetime."""
    return datetime.fromtimestamp(epoch, UTC)
