"""The publishing services' tests compare messages with their English source text."""

import pytest


@pytest.fixture(autouse=True)
def english(english_messages):
    yield
