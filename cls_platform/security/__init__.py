"""Sign-in hardening (issue 12): lockout after repeated failures (django-axes), passwords as the
CNIL asks (délibération 2022-100), a second factor by TOTP with recovery codes (django-otp),
sessions that end after inactivity or everywhere at once, and the optional ProConnect sign-in.

Each piece lives in its own module; `apps.SecurityConfig.ready` connects the signals that write
the audit trail and mark a fresh session for the second factor.
"""
