"""Small helpers the demo's modules share."""

from __future__ import annotations

import unicodedata
import zlib
import zoneinfo

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def vary(key: str, n: int) -> int:
    """A stable pseudo-random choice (crc32, unlike hash(), does not change between runs)."""
    return zlib.crc32(key.encode()) % n


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "." for ch in plain.lower()).strip(".")


def enumerate_fr(items: list[str]) -> str:
    """ "a", "a et b", "a, b et c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]
