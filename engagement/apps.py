from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = _("Comments, follows and notifications")

    def ready(self) -> None:
        # The worker knows a task only once its module is imported.
        from engagement import jobs  # noqa: F401
