from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Municipalities and staff")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from core import lockout, mfa
        from core.db.rls import secure_after_migrate
        from core.modules import registry
        from core.sessions import staff_signed_in

        registry.autodiscover()
        user_logged_in.connect(staff_signed_in, dispatch_uid="core.sessions.staff_signed_in")
        user_logged_in.connect(mfa.staff_signed_in, dispatch_uid="core.mfa.staff_signed_in")
        authenticator_added.connect(mfa.totp_set_up, dispatch_uid="core.mfa.totp_set_up")
        post_migrate.connect(
            lockout.create_cache_table, sender=self, dispatch_uid="core.lockout.cache_table"
        )
        # Last: once per migrate, after every app's migrations and the tables made above.
        post_migrate.connect(secure_after_migrate, sender=self, dispatch_uid="core.db.rls")
