"""Schemathesis (PyPI) against the live server over the demo data, with every check on: the
examples of the OpenAPI document, its coverage phase (each parameter's edges and wrong
types) and a bounded fuzzing phase, as an anonymous client and signed in as a citizen. The
API answers no request with a server error and nothing outside its OpenAPI document.

The run is derandomized (Hypothesis's deterministic mode, no example database), so it sees
the same cases every time; SCHEMATHESIS_MAX_EXAMPLES raises the fuzzing phase's count for a
longer search by hand.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

pytest.importorskip("schemathesis")

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Cases per operation in the fuzzing phase: about a minute of fuzzing for each client.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30"))


def citizen_headers() -> list[str]:
    """A signed-in session of the demo applicant, and the CSRF token its writes need."""
    client = Client()
    client.force_login(get_user_model().objects.get(email="applicant@demo.gisportal.ge"))
    session = client.cookies["sessionid"].value
    token = _get_new_csrf_string()
    return [
        "--header",
        f"Cookie: sessionid={session}; csrftoken={token}",
        "--header",
        f"X-CSRFToken: {token}",
        # The session rides on every request, so a case "without the cookie" cannot be made
        # here; the anonymous run checks the answers without it.
        "--generation-with-security-parameters",
        "false",
    ]


def schemathesis(url: str, tmp_path: Path, *headers: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--no-color",
        "--config-file",
        str(CONFIG),
        "run",
        f"{url}/api/v1/schema/?format=json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",
        "--continue-on-failure",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "too_slow,filter_too_much",
        # One connection per request: Django's development server (the live server) may read
        # the body a refusal left unread as the next request on a kept connection; gunicorn
        # does not, and it is the server's HTTP, not the API, that would be tested.
        "--header",
        "Connection: close",
        *headers,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path, timeout=900, env=os.environ
    )


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    who, live_server, transactional_db, tmp_path
):
    call_command("load_demo", parcels_per_city=150, verbosity=0)
    headers = citizen_headers() if who == "citizen" else []
    done = schemathesis(live_server.url, tmp_path, *headers)
    report = done.stdout[-12000:] + done.stderr[-3000:]
    assert done.returncode == 0, report
