from django.apps import AppConfig, apps


class GisportalConfig(AppConfig):
    name = "gisportal"
    verbose_name = "Portal"

    def ready(self):
        from django.db.models.signals import post_migrate

        from gisportal.sites import site_sync

        # With the sites app's own signal (this app has no models, so none is sent for it),
        # after the sites app has made its example.com: the portal's own address.
        post_migrate.connect(
            site_sync, sender=apps.get_app_config("sites"), dispatch_uid="gisportal_site_sync"
        )
