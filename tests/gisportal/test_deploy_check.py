"""The production profile: with GISPORTAL_ENV=production, `manage.py check --deploy` is clean,
the portal answers over HTTPS only, and it refuses to start without its own secret key or with
debug pages on. Each case starts Python afresh, since settings are read once at start."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

# A key of Django's recommended strength, made for the run and thrown away.
KEY = secrets.token_urlsafe(50)
PROFILE = {"GISPORTAL_ENV": "production", "SECRET_KEY": KEY}
# Django's test client asks for the host "testserver".
CLIENT_HOST = {"ALLOWED_HOSTS": "testserver"}

SETTINGS = """
import json
from django.conf import settings
names = [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY", "SECURE_PROXY_SSL_HEADER",
]
print(json.dumps({name: getattr(settings, name, None) for name in names}))
"""

# Requests through Django's test client to addresses that need no database.
REQUESTS = """
import json
import django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/favicon.ico")
secure = client.get("/favicon.ico", secure=True)
proxied = client.get("/favicon.ico", headers={"X-Forwarded-Proto": "https"})
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "proxied": [proxied.status_code, proxied.get("Location")],
}))
"""


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env}
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (Playwright's loop), never a deployment's.
    names = ("DEBUG", "SECRET_KEY", "GISPORTAL_ENV", "SECURE_PROXY_SSL_HEADER")
    for name in (*names, "DJANGO_ALLOW_ASYNC_UNSAFE"):
        if name not in env:
            environ.pop(name, None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def python(code: str, **env: str) -> subprocess.CompletedProcess:
    return run(["-c", code], DJANGO_SETTINGS_MODULE="gisportal.settings", **env)


def test_check_deploy_is_clean_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PROFILE)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_cookies_over_https_only_and_keeps_browsers_on_it():
    result = python(SETTINGS, **PROFILE)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["LANGUAGE_COOKIE_SECURE"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # trusted only when a deployment says so


def test_development_keeps_plain_http():
    values = json.loads(python(SETTINGS).stdout)

    assert not values["SESSION_COOKIE_SECURE"] and not values["CSRF_COOKIE_SECURE"]
    assert not values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_production_redirects_plain_http_and_sends_hsts_over_https():
    result = python(REQUESTS, **PROFILE, **CLIENT_HOST)

    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    assert answers["plain"] == [301, "https://testserver/favicon.ico"]
    assert answers["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in answers["csp"]
    # Without SECURE_PROXY_SSL_HEADER a client's own X-Forwarded-Proto is not believed.
    assert answers["proxied"][0] == 301


def test_a_tls_terminating_proxy_is_believed_when_named():
    result = python(REQUESTS, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto", **PROFILE, **CLIENT_HOST)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["proxied"] == [302, "/static/core/favicon.svg"]


def test_production_refuses_to_start_without_a_secret_key():
    result = python("import django; django.setup()", GISPORTAL_ENV="production")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when GISPORTAL_ENV=production" in result.stderr


def test_production_refuses_to_start_with_debug_pages():
    result = python("import django; django.setup()", DEBUG="1", **PROFILE)

    assert result.returncode != 0
    assert "DEBUG must be off when GISPORTAL_ENV=production" in result.stderr


def test_an_unknown_profile_stops_the_start():
    result = python("import django; django.setup()", GISPORTAL_ENV="staging", SECRET_KEY=KEY)

    assert result.returncode != 0
    assert "GISPORTAL_ENV='staging'" in result.stderr
