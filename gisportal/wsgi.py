"""WSGI entry point for gunicorn: cached public tiles first (layers.fastpath), then Django."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisportal.settings")
django_application = get_wsgi_application()

from layers.fastpath import TileFastPath  # noqa: E402  (needs the apps loaded above)

application = TileFastPath(django_application)
