"""Passwords as the CNIL recommends (délibération 2022-100 of 21 July 2022).

The CNIL accepts, among its examples, 12 characters of the four kinds (80 bits of entropy) with
no other measure, or 8 characters of three kinds when the account is locked out after repeated
failures. Trame locks accounts out (django-axes) and asks more than that floor: at least 12
characters (TRAME_PASSWORD_MIN_LENGTH) of at least three kinds out of four (capital, small letter,
digit, other sign), so that it holds with the lockout turned down. The length is checked by
Django's MinimumLengthValidator, the kinds here. No periodic renewal: the CNIL
advises against it; a password is changed when it may have leaked.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KINDS = 4


def kinds_of(password: str) -> int:
    """How many of the four kinds of characters the password mixes."""
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterKindsValidator:
    """At least `min_kinds` kinds of characters out of four. The length is Django's
    MinimumLengthValidator's (configured beside it, read by the processing register)."""

    def __init__(self, min_kinds: int = 3) -> None:
        self.min_kinds = min_kinds

    def validate(self, password: str, user: Any = None) -> None:
        if kinds_of(password) < self.min_kinds:
            raise ValidationError(
                _(
                    "Ce mot de passe doit mélanger au moins %(min_kinds)d types de caractères "
                    "parmi les quatre : majuscules, minuscules, chiffres et caractères spéciaux."
                ),
                code="password_too_simple",
                params={"min_kinds": self.min_kinds},
            )

    def get_help_text(self) -> str:
        return _(
            "Votre mot de passe doit mélanger au moins %(min_kinds)d types de caractères parmi "
            "majuscules, minuscules, chiffres et caractères spéciaux. Une phrase facile à retenir "
            "convient bien."
        ) % {"min_kinds": self.min_kinds}
