"""WSGI wrappers that the production server (gunicorn) needs and Django's own server has."""

from __future__ import annotations

from collections.abc import Callable, Iterable


class HeadWithoutBody:
    """Answers HEAD with the headers of GET and no body (RFC 9110, 9.3.2).

    Django renders a HEAD as it would a GET and leaves dropping the body to the server; its
    development server does, gunicorn does not. A body after a HEAD's headers is read by a
    keep-alive client as the start of its next answer: GDAL's /vsicurl/, which asks HEAD for a
    file's size and then a range over the same connection, fails with "Received HTTP/0.9".
    """

    def __init__(self, application: Callable) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        result = self.application(environ, start_response)
        if environ.get("REQUEST_METHOD") != "HEAD":
            return result
        close = getattr(result, "close", None)
        if close is not None:
            close()
        return []
