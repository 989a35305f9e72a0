"""No request holds a worker longer than its bound: a real gunicorn, started with the portal's
gunicorn.conf.py and a bound of 0.5 s on each database statement, answers a request whose
query runs past the bound with 503 in the API's error shape (a page elsewhere), and the same
worker goes on serving."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


@pytest.fixture
def gunicorn(transactional_db):
    port = free_port()
    database = settings.DATABASES["default"]
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.gisportal.timeout_settings",
        "GISPORTAL_DB_NAME": database["NAME"],
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "gisportal.wsgi:application",
            "--config",
            "gisportal/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(200):  # waits for the server to listen, not a time limit
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode()[-3000:])
            try:
                get(f"{url}/api/v1/test/ready/")
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_statement_past_the_bound_answers_503_and_the_worker_keeps_serving(gunicorn):
    status, _type, body = get(f"{gunicorn}/api/v1/test/ready/")
    assert status == 200
    ready = json.loads(body)
    assert ready["statement_timeout"] == "500ms"

    status, content_type, body = get(f"{gunicorn}/api/v1/test/sleep/5/")
    assert status == 503
    assert content_type.startswith("application/json")
    assert json.loads(body)["code"] == "timeout"

    status, content_type, body = get(f"{gunicorn}/api/v1/test/rest-sleep/5/")
    assert status == 503
    assert json.loads(body)["code"] == "timeout"

    status, content_type, body = get(f"{gunicorn}/test/sleep/5/")
    assert status == 503
    assert content_type.startswith("text/html")

    status, _type, body = get(f"{gunicorn}/api/v1/test/ready/")
    assert status == 200
    assert json.loads(body)["pid"] == ready["pid"]


def test_gunicorn_replaces_a_silent_worker_after_30_seconds():
    namespace: dict = {}
    exec((ROOT / "gisportal" / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["timeout"] == 30
    assert namespace["graceful_timeout"] == 30
