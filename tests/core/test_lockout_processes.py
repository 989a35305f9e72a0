"""The lockout counts failures across server processes: two gunicorn servers on the test
database, failed sign-ins alternating between them, and the account locks after the limit in
total. Once with the database cache (the default) and once with Redis (REDIS_URL)."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.core.factories import PASSWORD, UserFactory

FAILURES = 4  # the limit the servers are started with (LOGIN_LOCKOUT_FAILURES)
REDIS_URL = "redis://127.0.0.1:6379/0"
START_SECONDS = 90  # how long a server may take to answer its first request


def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server answers at {REDIS_URL}")
    return client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn process serving the portal from the test database."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [
            *(sys.executable, "-m", "gunicorn", "gisportal.wsgi:application"),
            *("--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "2"),
        ]
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"the server on {self.url} did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Browser:
    """Cookies and CSRF tokens as a browser keeps them: one jar for 127.0.0.1, any port."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirects()
        )

    def sign_in(self, server: Server, email: str, password: str) -> int:
        with self.opener.open(f"{server.url}/en/accounts/login/", timeout=60) as page:
            html = page.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode(
            {"login": email, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        try:
            with self.opener.open(f"{server.url}/en/accounts/login/", data, timeout=60) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the servers are pointed at the test database by GISPORTAL_DB_NAME")
    started = []

    def start(**extra_env) -> tuple[Server, Server]:
        env = {
            **os.environ,
            "GISPORTAL_DB_NAME": connection.settings_dict["NAME"],
            "LOGIN_LOCKOUT_FAILURES": str(FAILURES),
            "LOGIN_LOCKOUT_SECONDS": "600",
            **extra_env,
        }
        servers = [Server(env, tmp_path / f"server{n}.log") for n in (1, 2)]
        started.extend(servers)
        for server in servers:
            server.wait_until_up()
        return servers

    yield start
    for server in started:
        server.stop()
    cache.clear()


def fail_alternately(servers, email: str) -> list[int]:
    """Failed sign-ins, one server after the other, until one more than the limit."""
    browser = Browser()
    return [browser.sign_in(servers[n % 2], email, "not the password") for n in range(FAILURES + 1)]


def test_failures_on_two_servers_lock_the_account_in_the_database(two_servers):
    user = UserFactory(email="ana@example.ge")
    servers = two_servers()

    answers = fail_alternately(servers, user.email)

    assert answers == [200] * FAILURES + [429]
    # Locked on both servers, the right password included.
    assert [Browser().sign_in(server, user.email, PASSWORD) for server in servers] == [429, 429]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM gisportal_cache WHERE cache_key LIKE %s", ["%:rl:%"])
        assert cursor.fetchone()[0] > 0


def test_failures_on_two_servers_lock_the_account_in_redis(two_servers):
    redis = redis_client()
    prefix = f"gisportal-test-{uuid.uuid4().hex}"
    user = UserFactory(email="ana@example.ge")
    servers = two_servers(REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix)

    try:
        answers = fail_alternately(servers, user.email)

        assert answers == [200] * FAILURES + [429]
        assert [Browser().sign_in(server, user.email, PASSWORD) for server in servers] == [
            429,
            429,
        ]
        assert redis.keys(f"{prefix}:*")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM gisportal_cache")
            assert cursor.fetchone()[0] == 0  # nothing went to the database cache
    finally:
        for key in redis.scan_iter(f"{prefix}:*"):
            redis.delete(key)
