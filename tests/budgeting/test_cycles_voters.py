# ruff: noqa: F811
"""The voter list: a CSV file's good rows loaded, each kind of bad row refused with its line,
a second load updating, the personal number never stored, and the lookup."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from budgeting import voter_list
from budgeting.models import Voter, VoterListUpload
from budgeting.voters import mask, person_key
from tests.budgeting.cycle_factories import (  # noqa: F401 - fixtures
    batumi_officer,
    boulevard,
    cycle,
    rustavi_officer,
)

ANA = "01001012345"
GIORGI = "01001054321"
NINO = "61001098765"


def upload(client, cycle, text: str, *, name: str = "list.csv", bom: bool = False):
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    return client.post(
        reverse("budgeting:staff-voters", args=[cycle.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_good_rows_are_loaded_by_district_code_or_name(client, cycle, boulevard, batumi_officer):
    client.force_login(batumi_officer)
    text = (
        "personal_number,birth_year,district\n"
        f"{ANA},1980,old-town\n"
        f"{GIORGI},1975,Boulevard\n"
        f"{NINO},2001,ბულვარი\n"
    )
    response = upload(client, cycle, text, bom=True)
    assert response.status_code == 302
    voters = {v.person_key: v for v in Voter.objects.filter(cycle=cycle)}
    assert set(voters) == {person_key(ANA), person_key(GIORGI), person_key(NINO)}
    assert voters[person_key(ANA)].district.code == "old-town"
    assert voters[person_key(GIORGI)].district == boulevard
    assert voters[person_key(NINO)].district == boulevard
    assert voters[person_key(ANA)].person_masked == mask(ANA)
    record = VoterListUpload.objects.get(cycle=cycle)
    assert (record.rows, record.added, record.updated, record.refused) == (3, 3, 0, 0)
    assert record.file_name == "list.csv"
    assert record.uploaded_by == batumi_officer


def test_each_kind_of_bad_row_is_refused_with_its_line(
    client, cycle, boulevard, batumi_officer, english_messages
):
    client.force_login(batumi_officer)
    text = (
        "district,personal_number,birth_year\n"  # columns in any order
        f"old-town,{ANA},1980\n"  # line 2: good
        "old-town,0100101234,1980\n"  # line 3: ten digits
        f"nowhere,{GIORGI},1975\n"  # line 4: no such district
        f"boulevard,{NINO},19x5\n"  # line 5: not a year
        f"boulevard,{NINO},1850\n"  # line 6: too early
        f"boulevard,{ANA},1980\n"  # line 7: the same person as line 2
        "boulevard\n"  # line 8: too few columns
    )
    response = upload(client, cycle, text)
    assert response.status_code == 302
    record = VoterListUpload.objects.get(cycle=cycle)
    assert (record.rows, record.added, record.refused) == (7, 1, 6)
    errors = {e["line"]: e["message"] for e in record.errors}
    assert errors == {
        3: "A personal number has 11 digits.",
        4: "Unknown district: nowhere.",
        5: "The year of birth is not a year between 1900 and this one.",
        6: "The year of birth is not a year between 1900 and this one.",
        7: "The same personal number as on line 2.",
        8: "The row does not have the three columns.",
    }
    assert Voter.objects.filter(cycle=cycle).count() == 1
    page = client.get(reverse("budgeting:staff-voters", args=[cycle.pk]))
    assert b"Unknown district: nowhere." in page.content
    assert b"The same personal number as on line 2." in page.content


@pytest.mark.parametrize(
    "data,message",
    [
        (b"number,year,place\n01001012345,1980,old-town\n", b"must name the columns"),
        (b"\n\n", b"must name the columns"),
        (b"", b"The submitted file is empty."),
        (
            "personal_number,birth_year,district\n01001012345,1980,ძველი\n".encode(
                "cp1252", "replace"
            )
            + b"\xff\xfe",
            b"not UTF-8",
        ),
    ],
)
def test_a_file_that_is_not_a_list_is_refused_whole(
    client, cycle, batumi_officer, english_messages, data, message
):
    client.force_login(batumi_officer)
    response = client.post(
        reverse("budgeting:staff-voters", args=[cycle.pk]),
        {"file": SimpleUploadedFile("list.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 400
    assert message in response.content
    assert not Voter.objects.exists()
    assert not VoterListUpload.objects.exists()


def test_a_second_load_updates_the_district_and_year(client, cycle, boulevard, batumi_officer):
    client.force_login(batumi_officer)
    header = "personal_number,birth_year,district\n"
    upload(client, cycle, header + f"{ANA},1980,old-town\n{GIORGI},1975,old-town\n")
    upload(
        client,
        cycle,
        header + f"{ANA},1981,boulevard\n{GIORGI},1975,old-town\n{NINO},1990,boulevard\n",
    )
    second = VoterListUpload.objects.filter(cycle=cycle).order_by("-created_at", "-pk").first()
    assert (second.rows, second.added, second.updated, second.refused) == (3, 1, 1, 0)
    ana = Voter.objects.get(cycle=cycle, person_key=person_key(ANA))
    assert (ana.birth_year, ana.district) == (1981, boulevard)
    assert Voter.objects.filter(cycle=cycle).count() == 3


def test_the_personal_number_is_never_stored(client, cycle, boulevard, batumi_officer):
    client.force_login(batumi_officer)
    text = (
        "personal_number,birth_year,district\n"
        f"{ANA},1980,old-town\n{ANA},1980,old-town\n0100101234,1980,old-town\n"
    )
    upload(client, cycle, text)
    for table in (Voter._meta.db_table, VoterListUpload._meta.db_table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT t::text FROM {table} AS t")  # noqa: S608 - a model's table
            rows = [row for (row,) in cursor.fetchall()]
        assert rows
        for row in rows:
            assert ANA not in row
            assert "0100101234" not in row
    # Nor in the audit's copies of the rows.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_name LIKE 'budgeting_voter%%event'"
        )
        events = [name for (name,) in cursor.fetchall()]
    for table in events:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT t::text FROM "{table}" AS t')  # noqa: S608
            assert all(ANA not in row for (row,) in cursor.fetchall())


def test_the_lookup_shows_the_masked_number_and_district(
    client, cycle, boulevard, batumi_officer, english_messages
):
    voter_list.load_rows(cycle, [(ANA, 1980, boulevard)])
    client.force_login(batumi_officer)
    url = reverse("budgeting:staff-voters", args=[cycle.pk])
    found = client.get(url, {"number": ANA})
    assert found.status_code == 200
    assert found.context["found"].district == boulevard
    content = found.content.decode()
    assert mask(ANA) in content
    assert "Boulevard" in content
    assert "not yet" in content
    missing = client.get(url, {"number": NINO})
    assert b"not on the cycle" in missing.content
    bad = client.get(url, {"number": "123"})
    assert b"11 digits" in bad.content


def test_the_page_counts_the_list_per_district(client, cycle, boulevard, batumi_officer):
    voter_list.load_rows(cycle, [(ANA, 1980, boulevard), (GIORGI, 1970, boulevard)])
    client.force_login(batumi_officer)
    response = client.get(reverse("budgeting:staff-voters", args=[cycle.pk]))
    counts = {row["district"].code: row["voters"] for row in response.context["districts"]}
    assert counts == {"boulevard": 2, "old-town": 0}


def test_load_rows_takes_generated_residents(cycle, boulevard):
    rows = [(f"{10_000_000_000 + n:011d}", 1950 + n % 50, boulevard) for n in range(2000)]
    record = voter_list.load_rows(cycle, rows)
    assert (record.rows, record.added, record.refused) == (2000, 2000, 0)
    assert Voter.objects.filter(cycle=cycle, district=boulevard).count() == 2000
    again = voter_list.load_rows(cycle, rows)
    assert (again.added, again.updated) == (0, 0)


def test_load_rows_refuses_a_district_of_another_municipality(cycle, rustavi):
    from core.models import District
    from tests.conftest import RUSTAVI_ORIGIN, multi, square

    elsewhere = District.objects.create(
        municipality=rustavi,
        code="r1",
        name_ka="რ1",
        name_en="R1",
        boundary=multi(square(*RUSTAVI_ORIGIN, 500)),
    )
    record = voter_list.load_rows(cycle, [(ANA, 1980, elsewhere)])
    assert (record.added, record.refused) == (0, 1)


def test_an_officer_of_another_municipality_cannot_load_a_list(client, cycle, rustavi_officer):
    client.force_login(rustavi_officer)
    response = upload(client, cycle, f"personal_number,birth_year,district\n{ANA},1980,old-town\n")
    assert response.status_code == 404
    assert not Voter.objects.exists()


def test_each_added_or_updated_resident_is_recorded_by_the_audit(cycle, boulevard):
    from django.apps import apps

    events = apps.get_model("budgeting", "VoterEvent").objects
    voter_list.load_rows(cycle, [(ANA, 1980, boulevard), (GIORGI, 1970, boulevard)])
    voter_list.load_rows(cycle, [(ANA, 1981, boulevard), (GIORGI, 1970, boulevard)])
    labels = sorted(events.filter(cycle=cycle).values_list("pgh_label", "birth_year"))
    assert labels == [("insert", 1970), ("insert", 1980), ("update", 1981)]
    ana = Voter.objects.get(person_key=person_key(ANA))
    assert events.filter(pgh_obj_id=ana.pk).count() == 2
    # The triggers work again for other writes.
    ana.birth_year = 1982
    ana.save()
    assert events.filter(pgh_obj_id=ana.pk).count() == 3


def test_a_file_with_too_many_rows_is_refused_whole(
    client, cycle, batumi_officer, english_messages, monkeypatch
):
    monkeypatch.setattr(voter_list, "MAX_ROWS", 2)
    client.force_login(batumi_officer)
    header = "personal_number,birth_year,district\n"
    response = upload(client, cycle, header + f"{ANA},1980,old-town\n" * 3)
    assert response.status_code == 400
    assert b"more than 2 rows" in response.content
    assert not Voter.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(
    client, cycle, batumi_officer, english_messages, monkeypatch
):
    from budgeting import staff_forms

    monkeypatch.setattr(staff_forms, "MAX_UPLOAD_BYTES", 100)
    client.force_login(batumi_officer)
    response = upload(client, cycle, "personal_number,birth_year,district\n" + "x" * 200)
    assert response.status_code == 400
    assert b"larger than" in response.content
    assert not VoterListUpload.objects.exists()
