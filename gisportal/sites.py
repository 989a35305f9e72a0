"""The portal's one public address: GISPORTAL_PUBLIC_URL.

Links in e-mails and decision documents are built on it (cases.notifications.public_url), and
django.contrib.sites' Site, whose name and domain allauth's account e-mails use, is set from it
after every migrate (`make run` migrates on each start), so a changed address reaches them all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

SITE_NAME = "gisportal"


def public_address() -> tuple[str, str]:
    """(scheme, domain) of GISPORTAL_PUBLIC_URL; the domain keeps its port."""
    parts = urlsplit(settings.GISPORTAL_PUBLIC_URL)
    return parts.scheme, parts.netloc


def site_sync(*, using: str = "default", **kwargs):
    """post_migrate: the Site of SITE_ID takes the public address's domain and the portal's name."""
    from django.contrib.sites.models import Site

    _scheme, domain = public_address()
    site, _created = Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": SITE_NAME}
    )
    Site.objects.clear_cache()
    return site


@checks.register(checks.Tags.compatibility)
def check_public_url(app_configs=None, **kwargs):
    """GISPORTAL_PUBLIC_URL must be an absolute http(s) address: every link is built on it."""
    scheme, domain = public_address()
    if scheme in ("http", "https") and domain:
        return []
    return [
        checks.Error(
            f"GISPORTAL_PUBLIC_URL={settings.GISPORTAL_PUBLIC_URL!r} is not an absolute http(s) "
            "address such as https://gis.batumi.ge.",
            id="gisportal.E001",
        )
    ]
