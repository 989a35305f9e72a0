"""The Content-Security-Policy's middleware, and Django REST framework's browsable API under it.

The policy goes with HTML pages only. JSON, tiles, downloads and PDFs run no script and apply
no style: a policy there would only cost bytes, and Chrome's PDF viewer, a page of its own
with an <embed> and inline styles, would be refused by it.

DRF's browsable API keeps Pygments' colours in an inline <style>, which gets the request's nonce
(gisportal/templates/gisportal/browsable_api.html), and its forms, filters and pager set a few
fixed style="" attributes in DRF's own templates. Those are allowed by their hashes
('unsafe-hashes'), read from the installed DRF's templates, on these pages only: no other
inline style, and no inline script, runs there.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import rest_framework
from csp import middleware
from rest_framework import renderers

STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')


def source_hash(text: str) -> str:
    """The CSP source that allows this exact inline text."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@cache
def drf_style_hashes() -> tuple[str, ...]:
    """The CSP sources of every style attribute value in DRF's templates."""
    root = Path(rest_framework.__file__).parent / "templates" / "rest_framework"
    values = {
        value
        for path in root.rglob("*.html")
        for value in STYLE_ATTRIBUTE.findall(path.read_text(encoding="utf-8"))
    }
    return tuple(source_hash(value) for value in sorted(values))


HTML = ("text/html", "application/xhtml+xml")


class CSPMiddleware(middleware.CSPMiddleware):
    """django-csp's middleware, for HTML answers."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(HTML):
            return response
        return super().process_response(request, response)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    template = "gisportal/browsable_api.html"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        content = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None:
            # django-csp adds this to the policy of this answer alone.
            response._csp_update = {"style-src-attr": ["'unsafe-hashes'", *drf_style_hashes()]}
        return content
