from django.apps import AppConfig


class GisportalConfig(AppConfig):
    name = "gisportal"
    verbose_name = "Portal"
