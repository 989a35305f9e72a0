"""The API's JSON parser: a body nested too deep, or holding a NUL, is refused with 400."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import exceptions, parsers

# How deep a JSON body may nest its arrays and objects: no request of the portal's API needs
# more than a GeoJSON MultiPolygon's five levels inside a few of its own.
MAX_JSON_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 (never 500) a body nested deeper than
    MAX_JSON_DEPTH, which Python's decoder meets as a RecursionError past a thousand levels and
    views would walk recursively below that, and a string holding a NUL character, which
    PostgreSQL text cannot hold."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_too_deep()) from None
        _check_json(data)
        return data


def _too_deep() -> str:
    return gettext("The JSON is nested deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}


def _check_json(data) -> None:
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError(gettext("A NUL character is not accepted in JSON."))
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise exceptions.ParseError(_too_deep())
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    raise exceptions.ParseError(gettext("A NUL character is not accepted in JSON."))
                pending.append((item, depth + 1))
