from __future__ import annotations

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "cls_platform.security"
    label = "trame_security"
    verbose_name = "Sécurité des comptes"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from . import lockout, otp, sessions

        user_logged_in.connect(otp.mark_session, dispatch_uid="trame_security.second_factor")
        user_logged_in.connect(sessions.mark_seen, dispatch_uid="trame_security.session_seen")
        user_locked_out.connect(lockout.record_lockout, dispatch_uid="trame_security.lockout")
