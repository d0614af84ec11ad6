"""Recovery codes made before they were stored hashed: each clear code becomes its digest, as
`cls_platform.security.otp.code_digests` computes it, and keeps working once.

The digest is written out here rather than imported, so that this step stays what it was if the
module changes; tests/cls_platform/test_recovery_codes_hashed.py checks that the two agree.
Going back leaves the digests: the codes made since cannot be turned back into clear text.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils.crypto import salted_hmac

SALT = "trame.security.recovery-code"
LENGTH = 16
# A digest already (this step run again after going back): left as it is. Clear codes were
# "abcd-ef01" (9 characters) or django-otp's own eight base32 letters, never 16 hex digits.
DIGEST = re.compile(r"[0-9a-f]{16}")


def digest(code: str) -> str:
    value = "".join(code.split()).replace("-", "").lower()
    return salted_hmac(SALT, value, secret=settings.SECRET_KEY, algorithm="sha256").hexdigest()[
        :LENGTH
    ]


def hash_clear_codes(apps: Any, schema_editor: Any) -> None:
    StaticToken = apps.get_model("otp_static", "StaticToken")
    tokens = [
        token
        for token in StaticToken.objects.using(schema_editor.connection.alias).only("token")
        if not DIGEST.fullmatch(token.token)
    ]
    for token in tokens:
        token.token = digest(token.token)
    StaticToken.objects.using(schema_editor.connection.alias).bulk_update(
        tokens, ["token"], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [("otp_static", "0003_add_timestamps")]

    operations = [migrations.RunPython(hash_clear_codes, migrations.RunPython.noop)]
