"""HEAD through the production WSGI application: the headers of GET and no body, so that a
keep-alive client (GDAL's /vsicurl/ asks HEAD, then a range) reads its next answer intact."""

from django.core import signals
from django.db import close_old_connections
from django.test import RequestFactory

from core.wsgi import HeadWithoutBody


class Closing:
    """An application's answer that records whether the server closed it."""

    def __init__(self, chunks):
        self.chunks = chunks
        self.closed = False

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        self.closed = True


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return Closing([b"hello"])


def call(application, method: str, path: str):
    environ = RequestFactory().generic(method, path, HTTP_HOST="testserver").environ
    found = {}

    def start_response(status, headers, exc_info=None):
        found["status"] = int(status.split()[0])
        found["headers"] = dict(headers)

    result = application(environ, start_response)
    body = b"".join(result)
    return found["status"], found["headers"], body, result


def test_head_keeps_the_headers_and_drops_the_body():
    status, headers, body, result = call(HeadWithoutBody(app), "HEAD", "/")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == "5"
    assert result == []


def test_head_closes_the_answer_it_drops():
    answers = []

    def recording(environ, start_response):
        answers.append(app(environ, start_response))
        return answers[-1]

    call(HeadWithoutBody(recording), "HEAD", "/")
    assert answers[0].closed


def test_get_is_passed_through():
    status, headers, body, _ = call(HeadWithoutBody(app), "GET", "/")
    assert (status, body) == (200, b"hello")


def test_the_served_application_answers_head_without_a_body(db):
    from gisportal.wsgi import application

    # As Django's test client does: a request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        status, headers, body, _ = call(application, "HEAD", "/ogcapi/?f=json")
        _, _, full, _ = call(application, "GET", "/ogcapi/?f=json")
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert status == 200
    assert body == b""
    assert full
    assert int(headers["Content-Length"]) == len(full)
