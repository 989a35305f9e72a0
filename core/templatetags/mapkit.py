"""Template tags that hand the map kit (core/static/core/mapkit.js) its text in the page's language."""

from __future__ import annotations

import json

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext as _

from core.shell import maplibre_locale

register = template.Library()


def _kit_strings() -> dict[str, str]:
    return {
        "mapFailed": _("The map could not be drawn."),
        "loading": _("Loading…"),
        "loadFailed": _("These details could not be loaded. Please try again."),
    }


@register.simple_tag
def mapkit(**strings):
    """The kit's data for a page with a map: MapLibre's control labels, the kit's own messages,
    and the page script's strings given as arguments (`{% mapkit site=_("The site") %}`)."""
    data = {
        "locale": maplibre_locale(),
        "strings": _kit_strings(),
        "page": {key: str(value) for key, value in strings.items()},
    }
    return json_script(data, "mapkit-data")


@register.simple_tag
def mapkit_locale_json() -> str:
    """MapLibre's control labels as JSON, for an attribute where a page may hold several maps."""
    return json.dumps({"locale": maplibre_locale(), "strings": _kit_strings()})
