"""Signals other apps listen to, so that partners never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that records a departure: kwargs `former` and `successor`
# (Contact instances). Listeners move what the former contact belonged to.
contact_succeeded = Signal()
