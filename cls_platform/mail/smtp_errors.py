"""What an SMTP server's answer means for a row of the outbox: permanent or worth retrying, a
wrong address or the server's policy, and how long to wait before the next try."""

from __future__ import annotations

import smtplib

from django.conf import settings


def backoff(attempt: int) -> int:
    """Seconds before the next try: 30 s, 1 min, 2 min... capped at one hour.

    The first wait is settings.OUTBOX_RETRY_BASE_SECONDS (30 s unless configured), the cap
    settings.OUTBOX_RETRY_MAX_SECONDS (an hour unless configured)."""
    base = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 30)
    cap = getattr(settings, "OUTBOX_RETRY_MAX_SECONDS", 3600)
    return min(base * 2 ** max(attempt - 1, 0), cap)


def is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def address_is_bad(exc: smtplib.SMTPRecipientsRefused) -> bool:
    """The server says the mailbox is wrong (5.1.x, or a bare 550/551/553), not its policy."""
    for code, msg in exc.recipients.values():
        text = msg.decode(errors="replace") if isinstance(msg, bytes) else str(msg)
        enhanced = text.strip()[:6]
        if enhanced.startswith("5.1.") or (
            code in (550, 551, 553) and not enhanced.startswith("5.")
        ):
            return True
    return False


def describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        )[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return f"{exc.smtp_code} {msg}"[:500]
    return f"{exc.__class__.__name__}: {exc}"[:500]
