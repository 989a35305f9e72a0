"""One public address: GISPORTAL_PUBLIC_URL gives the site's domain and name that the account
e-mails show (not "example.com"), and every link in decision documents and e-mails."""

import re

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal

from cases import services
from cases.models import Outcome, Status
from gisportal.sites import check_public_url
from tests.cases.factories import run_document_jobs, service_with_documents, staff, submitted_case
from tests.cases.test_decisions import pdf_text
from tests.core.factories import PASSWORD

# Migrations run as the owner of the tables (core/db/owner.py): its connection comes first.
pytestmark = pytest.mark.usefixtures("table_owner", "db")

PUBLIC = "https://gis.batumi.example"
URL = re.compile(rb"https?://[^\s\"'<>)\\]+")


@pytest.fixture
def public(settings, tmp_path):
    settings.GISPORTAL_PUBLIC_URL = PUBLIC
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASES_NOTIFY_SYNC = settings.NOTIFY_SYNC = True
    return settings


def test_migrate_names_the_site_by_the_public_address(public):
    Site.objects.update_or_create(pk=1, defaults={"domain": "example.com", "name": "example.com"})

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("gis.batumi.example", "gisportal")


def test_a_changed_address_reaches_the_site_at_the_next_migrate(public, settings):
    call_command("migrate", verbosity=0, interactive=False)
    settings.GISPORTAL_PUBLIC_URL = "http://127.0.0.1:8123"

    call_command("migrate", verbosity=0, interactive=False)

    assert Site.objects.get_current().domain == "127.0.0.1:8123"


def test_the_account_mail_names_the_portal_not_example_com(client, public):
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    caches["default"].clear()  # allauth counts sign-ups per address in the cache

    client.post(
        "/en/accounts/signup/",
        {"email": "public.address@example.ge", "password1": PASSWORD, "password2": PASSWORD},
    )

    caches["default"].clear()  # nor may this one count against another test's address
    [message] = mail.outbox
    assert "gisportal" in message.subject
    assert "example.com" not in message.subject + message.body


@pytest.mark.parametrize("value", ["gis.batumi.ge", "ftp://gis.batumi.ge", "/portal"])
def test_an_address_that_is_not_absolute_is_refused_by_the_checks(settings, value):
    settings.GISPORTAL_PUBLIC_URL = value
    assert [error.id for error in check_public_url()] == ["gisportal.E001"]


def test_an_absolute_address_passes_the_checks(settings):
    settings.GISPORTAL_PUBLIC_URL = "https://gis.rustavi.ge"
    assert check_public_url() == []


def test_every_link_of_the_decision_and_its_mails_is_on_the_public_address(public, batumi):
    case = submitted_case(service=service_with_documents(), municipality=batumi, language="en")
    planner = staff(batumi)
    services.case_transition(case=case, to=Status.IN_REVIEW, by=planner)
    request = services.information_request_open(case=case, text="More?", by=planner)
    services.information_request_answer(request=request, answer="Here.", by=case.applicant)
    decision = services.decision_issue(case=case, outcome=Outcome.APPROVED, by=planner)
    run_document_jobs()
    decision.refresh_from_db()

    links = URL.findall(pdf_text(decision.pdf.read()))
    for message in mail.outbox:
        links += URL.findall(message.body.encode())
    assert len(mail.outbox) >= 4 and links
    outside = {link for link in links if not link.startswith(PUBLIC.encode())}
    assert outside <= {b"http://www.w3.org/2000/svg"}
