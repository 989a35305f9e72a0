"""Personal data is taken out of a comment before it is published: personal numbers, phone
numbers and e-mail addresses become a mark; the text as written is kept for moderators only."""

import pytest

from engagement.redaction import MARK, redact
from tests.engagement.conftest import write


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("My number is 01001012345.", "01001012345"),
        ("Call +995 555 12 34 56 please", "555 12 34 56"),
        ("Call 555123456", "555123456"),
        ("Call 599-11-22-33", "599-11-22-33"),
        ("Office: 0422 27 12 34", "0422 27 12 34"),
        ("Write to nino.b+permits@example.ge", "example.ge"),
    ],
)
def test_personal_data_is_replaced_by_the_mark(text, secret):
    published, changed = redact(text)
    assert changed and MARK in published
    assert secret not in published


@pytest.mark.parametrize(
    "text",
    [
        "The building is 25 m high, 5 floors, 1500 m² on a 400 m² plot.",
        "Decided on 12.03.2025 for 2026.",
        "It costs 1,500,000 GEL.",
    ],
)
def test_figures_dates_and_sums_are_left(text):
    assert redact(text) == (text, False)


def test_a_phone_after_a_year_is_taken_and_the_year_kept():
    assert redact("Since 2024 555 12 34 56 rings") == (f"Since 2024 {MARK} rings", True)


def test_the_published_comment_hides_it_and_moderators_keep_the_text(
    client, place, author, moderator
):
    comment = write(place, author, "Ring me on 555123456 or mail nino@example.ge.")
    assert comment.body == f"Ring me on {MARK} or mail {MARK}."
    assert comment.body_original == "Ring me on 555123456 or mail nino@example.ge."
    assert comment.redacted

    page = client.get("/en/comments/", {"layer": "test-places", "feature": place.pk}).text
    assert "555123456" not in page and "nino@example.ge" not in page
    assert "[removed]" in page
    client.force_login(moderator)
    page = client.get(f"/en/comments/{comment.pk}/moderate/").text
    assert "555123456" in page and "nino@example.ge" in page


def test_authors_are_shown_by_first_name_and_initial_never_by_address(client, place, author):
    write(place, author, "Nice.")
    page = client.get("/en/comments/", {"layer": "test-places", "feature": place.pk}).text
    assert "Nino B." in page
    assert "Beridze" not in page and author.email not in page and author.username not in page
