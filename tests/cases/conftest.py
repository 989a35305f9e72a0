"""Fixtures of the one window: media in a temporary folder, notifications sent at once."""

import pytest

from core.models import Role
from tests.cases.factories import service_with_documents, staff


@pytest.fixture(autouse=True)
def cases_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = True
    settings.GISPORTAL_PUBLIC_URL = "http://portal.test"
    return settings


@pytest.fixture
def service(db):
    return service_with_documents()


@pytest.fixture
def planner(batumi):
    return staff(batumi, Role.PLANNER)


@pytest.fixture
def rustavi_planner(rustavi):
    return staff(rustavi, Role.PLANNER)
