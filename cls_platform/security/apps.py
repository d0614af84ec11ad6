from __future__ import annotations

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "cls_platform.security"
    label = "trame_security"
    verbose_name = "Sécurité des comptes"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save, pre_save
        from django_otp.plugins.otp_static.models import StaticToken

        from . import lockout, otp, sessions

        user_logged_in.connect(otp.mark_session, dispatch_uid="trame_security.second_factor")
        user_logged_in.connect(sessions.mark_seen, dispatch_uid="trame_security.session_seen")
        user_locked_out.connect(lockout.record_lockout, dispatch_uid="trame_security.lockout")
        # A recovery code added in clear (django-otp's admin or command) is stored hashed.
        pre_save.connect(otp.hash_added_code, sender=StaticToken, dispatch_uid="trame.code_in")
        post_save.connect(otp.show_added_code, sender=StaticToken, dispatch_uid="trame.code_out")
