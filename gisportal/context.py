"""Template context shared by every portal page."""

from django.conf import settings


def portal(request):
    return {"GISPORTAL_DEMO": settings.GISPORTAL_DEMO}
