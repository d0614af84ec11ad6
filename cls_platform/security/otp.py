"""The second factor: a TOTP application (django-otp) and ten single-use recovery codes.

Required of coordinators and administrators (staff, superusers) when TRAME_OTP_REQUIRED is on;
anyone else may set it up from "Sécurité du compte", and once set up it is asked at each sign-in.
Whether a session needs it is decided once, at sign-in (`mark_session`), so that pages pay no
query for it; `SecondFactorMiddleware` then sends the session to enrolment or verification.
"""

from __future__ import annotations

import math
import re
import secrets
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cls_platform.models import Access, Role, User

# Session keys set at sign-in: whether this session must pass the second factor, and whether the
# account has one to pass (else it is sent to enrolment).
NEEDED_KEY = "_trame_otp_needed"
ENROLLED_KEY = "_trame_otp_enrolled"
# The recovery codes just made, shown once on the next page and dropped from the session.
FRESH_CODES_KEY = "_trame_recovery_codes"
RECOVERY_CODES = 10
TOTP_NAME = "Application d'authentification"
STATIC_NAME = "Codes de secours"
# Recovery codes are stored as a keyed digest (HMAC-SHA256 with SECRET_KEY), cut to the 16
# characters django-otp's StaticToken.token holds: 64 bits. A code has 32 random bits, so the
# code, not the cut, bounds a guesser: typed codes are slowed down (1 s, 2 s, 4 s... per wrong
# code: about 25 guesses a year), each hits one of ten codes with odds 10 / 2^32, and a wrong
# code whose digest happens to match one stored has odds 10 / 2^64. Keyed, so that the table
# alone (a leaked dump) does not let anyone try the 2^32 codes offline.
CODE_DIGEST_SALT = "trame.security.recovery-code"
CODE_DIGEST_LENGTH = 16
# What a stored digest looks like; codes typed by people never are 16 hex digits ("abcd-ef01",
# django-otp's eight base32 letters).
CODE_DIGEST = re.compile(r"[0-9a-f]{16}")


def is_required_for(user: User) -> bool:
    """Coordinators and administrators must use a second factor when TRAME_OTP_REQUIRED is on."""
    if not settings.TRAME_OTP_REQUIRED:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Access.objects.filter(user=user, role=Role.COORDINATOR).exists()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mark_session(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """At sign-in (user_logged_in): record in the session what the second factor asks of it."""
    session = getattr(request, "session", None)
    if session is None:
        return
    enrolled = has_second_factor(user)
    session[ENROLLED_KEY] = enrolled
    session[NEEDED_KEY] = enrolled or is_required_for(user)


def pending_device(user: User) -> TOTPDevice:
    """The device being set up: the unconfirmed one already drawn (the QR code stays the same if
    the page is reloaded), else a new one with a fresh secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The secret as an application asks for it typed by hand: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code, drawn on the server (no script, no image
    request to a third party)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=5, dark="#1e1e1e", light="#ffffff", omitsize=False)


def normalized_code(code: str) -> str:
    """A code as typed, without the spaces and dashes people add or leave out, in lowercase."""
    return "".join(code.split()).replace("-", "").lower()


def code_digests(code: str) -> list[str]:
    """What the database holds for `code`: its digest under SECRET_KEY, then under each of
    SECRET_KEY_FALLBACKS, so that codes made before a key rotation still work."""
    value = normalized_code(code)
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        salted_hmac(CODE_DIGEST_SALT, value, secret=secret, algorithm="sha256").hexdigest()[
            :CODE_DIGEST_LENGTH
        ]
        for secret in keys
    ]


def hash_added_code(sender: Any, instance: StaticToken, raw: bool = False, **kwargs: Any) -> None:
    """Before a recovery code is saved one by one (django-otp's admin, its `addstatictoken`
    command; `make_recovery_codes` writes digests in bulk): a clear code is stored as its digest,
    as the others are, so that it works (a typed code is looked up by its digest) and the table
    never holds a clear code. A digest already is left as it is. The instance keeps the clear
    code once saved (`show_added_code`): the command prints it for the administrator to hand on.
    """
    if raw or CODE_DIGEST.fullmatch(instance.token):
        return
    instance._clear_code = instance.token  # type: ignore[attr-defined]
    instance.token = code_digests(instance.token)[0]


def show_added_code(sender: Any, instance: StaticToken, **kwargs: Any) -> None:
    """After `hash_added_code`'s save: the instance shows the code again, the database keeps
    its digest."""
    clear = instance.__dict__.pop("_clear_code", None)
    if clear is not None:
        instance.token = clear


def make_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes, replacing any earlier ones; each works once. They are returned
    to be shown once; the database keeps only their digests."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=STATIC_NAME, defaults={"confirmed": True}
    )
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code_digests(c)[0]) for c in codes
        )
    return codes


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=STATIC_NAME).count()


@transaction.atomic
def confirm_device(*, device: TOTPDevice) -> list[str]:
    """The code typed matched: the device counts, any other TOTP device of the account goes, and
    ten recovery codes are made (returned to be shown once)."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return make_recovery_codes(device.user)


@transaction.atomic
def remove_second_factor(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def verify_recovery_code(device: StaticDevice, code: str) -> bool:
    """django-otp's own check (throttling, the code spent once used) on the code's digest."""
    digests = code_digests(code)
    stored = digests[0]
    if len(digests) > 1:
        # After a key rotation: find which digest is stored, so a miss counts once.
        stored = (
            device.token_set.filter(token__in=digests).values_list("token", flat=True).first()
            or stored
        )
    return device.verify_token(stored)


@transaction.atomic
def verify(user: User, token: str) -> Any:
    """The device that accepts `token` (a TOTP code, or a recovery code, which is then spent),
    or None. Spaces typed in the code are ignored, and dashes in a recovery code.

    The devices are locked until the answer is written: two requests sent together with the
    same recovery code (or a burst of guesses) are checked one after the other, so the code
    is spent once and each miss lengthens the wait, as django-otp means them to."""
    token = "".join(token.split()).lower()
    if not token:
        return None
    for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
        # An all-digit recovery code is not the application's: it must not count as its miss.
        if token.isdigit() and len(token) == device.digits and device.verify_token(token):
            return device
    for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
        if verify_recovery_code(device, token):
            return device
    return None


def wait_seconds(*devices: Any) -> int:
    """How long until the devices take a code again: django-otp doubles the wait after each
    wrong code (1 s, 2 s, 4 s...), which is what stops guessing six digits."""
    now = timezone.now()
    waits = [
        (data["locked_until"] - now).total_seconds()
        for allowed, data in (d.verify_is_allowed() for d in devices)
        if not allowed and data and data.get("locked_until")
    ]
    return math.ceil(max(waits, default=0))


def devices_of(user: User) -> list[Any]:
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
