"""ogctests (PyPI), the Python port of OGC's test suite for OGC API - Features - Part 1: Core,
run against the service as a client would, over the demo data (it reads features of every
collection): all 29 assertions of `features/core` pass."""

import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command

pytest.importorskip("ogctests")


def test_ogctests_features_core_passes_every_assertion(live_server, transactional_db, tmp_path):
    call_command("load_demo", parcels_per_city=150, verbosity=0)
    # pytest runs inside ogctests: from a directory and an ini of its own, without this
    # project's plugins (pytest-django would take it for a Django test run).
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = os.environ | {"PYTEST_ADDOPTS": f"-c {tmp_path / 'pytest.ini'} -p no:django"}
    done = subprocess.run(
        [sys.executable, "-m", "ogctests", "features/core", "-i", f"{live_server.url}/ogcapi"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    lines = done.stdout.strip().splitlines() or [done.stderr]
    assert re.search(r"\b29 passed\b", lines[-1]), done.stdout[-6000:] + done.stderr[-2000:]
    assert "failed" not in lines[-1]
