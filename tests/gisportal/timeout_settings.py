"""The portal's settings with the test-only URLconf of timeout_site and a small bound on a
request's database statements, for a real gunicorn in test_request_timeout.py."""

from gisportal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.gisportal.timeout_site"
REQUEST_DB_TIMEOUT_SECONDS = 0.5
ALLOWED_HOSTS = ["127.0.0.1"]
