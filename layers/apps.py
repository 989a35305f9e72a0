from django.apps import AppConfig


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = "Layers"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from layers.registry import registry
        from layers.versions import install_version_triggers

        registry.autodiscover()
        post_migrate.connect(install_version_triggers, sender=self)
