from django.apps import AppConfig


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = "Layers"

    def ready(self) -> None:
        from layers.registry import registry

        registry.autodiscover()
