from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Applications (one window)")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # The worker knows a task only once its module is imported.
        from cases import jobs  # noqa: F401
        from cases.catalogue import catalogue_sync

        post_migrate.connect(catalogue_sync, sender=self)
