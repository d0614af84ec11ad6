"""The composer registry: each app registers, per kind of e-mail, the function that builds the
message of an outbox row (`register("invitation", compose_invitation)` in its AppConfig.ready);
the outbox asks it for each row it sends. A composer raises `Skip` for a row that must not go.

A kind may also register `read_many(rows) -> {row id: reading}`: what its composer reads for
each row (the person, what the meeting is now), read for a whole chunk of rows in one go. The
outbox calls it when it sends a chunk (`reading(rows)`); the composer takes its row's reading
with `read_ahead(row)`, for READ_AHEAD_SECONDS at most, and reads for itself afterwards (a
slow SMTP server must not have a message go with what was true a minute ago).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.core.mail import EmailMessage

from ..models import Delivery

log = logging.getLogger(__name__)

Composer = Callable[[Delivery], EmailMessage | None]
ReadMany = Callable[[Sequence[Delivery]], dict[int, Any]]
_composers: dict[str, Composer] = {}
_read_many: dict[str, ReadMany] = {}
READ_AHEAD_SECONDS = 2.0


class Skip(Exception):
    """Raised by a composer: this row must not be sent (the reason is shown to the coordinator).

    Also what a `retry_failed` decision gives for a row that must stay as it is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def register(kind: str, composer: Composer, *, read_many: ReadMany | None = None) -> None:
    _composers[kind] = composer
    if read_many is None:
        _read_many.pop(kind, None)
    else:
        _read_many[kind] = read_many


def composer_for(kind: str) -> Composer:
    try:
        return _composers[kind]
    except KeyError:
        raise LookupError(f"Aucun modèle d'e-mail enregistré pour « {kind} ».") from None


class _Ahead(threading.local):
    readings: dict[int, Any] | None = None
    at: float = 0.0


_ahead = _Ahead()


@contextlib.contextmanager
def reading(rows: Sequence[Delivery]) -> Iterator[None]:
    """Within: what the kinds of `rows` read for all of them at once, for their composers.

    A database that fails the reading raises (the chunk goes again later); any other failure
    only costs each composer its own reading."""
    from .outbox import DATABASE_TROUBLE

    by_kind: dict[str, list[Delivery]] = {}
    for row in rows:
        if row.kind in _read_many:
            by_kind.setdefault(row.kind, []).append(row)
    readings: dict[int, Any] = {}
    for kind, same in by_kind.items():
        try:
            readings.update(_read_many[kind](same))
        except DATABASE_TROUBLE:
            raise
        except Exception:
            log.exception("Lecture groupée des envois %s impossible", [row.pk for row in same])
    _ahead.readings, _ahead.at = readings, time.monotonic()
    try:
        yield
    finally:
        _ahead.readings = None


def read_ahead(delivery: Delivery) -> tuple[bool, Any]:
    """(True, the reading made for this row) once, while fresh; (False, None) otherwise."""
    readings = _ahead.readings
    if (
        readings is None
        or delivery.pk not in readings
        or time.monotonic() - _ahead.at > READ_AHEAD_SECONDS
    ):
        return False, None
    return True, readings.pop(delivery.pk)
