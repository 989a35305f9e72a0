"""Template context of the page shell, for every page: languages, cities and navigation."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from core.modules import Audience, registry
from core.shell import language_links, municipalities_for_map


def navigation(user) -> dict[str, list[dict]]:
    """The registry's links by audience, as the header and the footer draw them."""
    return {
        audience: [
            {
                "label": link.label,
                "url": url,
                "page": link.page,
                "in_header": link.in_header,
                "badge": link.badge(user) if link.badge is not None else None,
            }
            for link, url in registry.nav(user, audience)
        ]
        for audience in (Audience.PUBLIC, Audience.SIGNED_IN, Audience.STAFF)
    }


def shell(request) -> dict:
    # Lazy: a page that draws no header (a card, a fragment) costs no query for them.
    return {
        "GISPORTAL_DEMO": settings.GISPORTAL_DEMO,
        "home_url": SimpleLazyObject(lambda: reverse(settings.PORTAL_HOME_URL_NAME)),
        "language_links": SimpleLazyObject(lambda: language_links(request)),
        "cities": SimpleLazyObject(municipalities_for_map),
        "nav": SimpleLazyObject(lambda: navigation(getattr(request, "user", None))),
    }
