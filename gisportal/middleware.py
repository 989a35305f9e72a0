"""Compression of the portal's text answers (JSON, GeoJSON, HTML) for clients that take gzip.

A page of 100 parcels is about 38 KB of GeoJSON and 4 KB gzipped. Streamed answers (downloads)
and binary ones (tiles, which are stored gzipped, files, PDFs) pass untouched.
"""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = ("application/json", "application/geo+json", "application/schema+json", "text/")


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.streaming:
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if not (content_type.startswith(COMPRESSIBLE) or content_type.endswith("+json")):
            return response
        return super().process_response(request, response)
