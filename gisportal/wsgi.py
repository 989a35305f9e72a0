"""WSGI entry point for gunicorn: cached public tiles first (layers.fastpath), then Django;
HEAD answers without their body (core.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisportal.settings")
django_application = get_wsgi_application()

from core.wsgi import HeadWithoutBody  # noqa: E402
from layers.fastpath import TileFastPath  # noqa: E402  (needs the apps loaded above)

application = HeadWithoutBody(TileFastPath(django_application))
