from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Municipalities and staff")

    def ready(self) -> None:
        from core.modules import registry

        registry.autodiscover()
