"""A budget's election in the pabulib format: the export passes the official checker, reads
back to the same winners as pabutools on the same file, names no person and is public only
once published; a replayed file is computed and compared, and a malformed one is refused
with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pabulib.checker import Checker

from budgeting import pabulib
from budgeting import results as services
from budgeting.models import Ballot
from budgeting.result_jobs import compute_results
from tests.budgeting.test_results import budget, officer, reference  # noqa: F401
from tests.core.factories import UserFactory

WARSAW = Path(__file__).parent / "data" / "poland_warszawa_2017_plac-wojska-polskiego.pb"


def computed_and_published(budget, officer):  # noqa: F811
    run = services.run_request(budget=budget, by=officer)
    compute_results(run_id=run.pk)
    run.refresh_from_db()
    services.results_publish(run=run, by=officer)
    return run


def check(text: str) -> dict:
    report = Checker().process_files([text])
    return report


def test_the_export_passes_the_pabulib_checker(budget, officer):  # noqa: F811
    computed_and_published(budget, officer)
    response = Client().get(f"/api/v1/budgeting/budgets/{budget.pk}/election.pb")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="rst_pb-2027_{budget.pk}.pb"'
    text = response.content.decode()
    report = check(text)
    assert report["metadata"]["valid"] == 1, report
    parsed = pabulib.parse(text)
    assert parsed.meta["country"] == "Georgia" and parsed.meta["unit"] == "Rustavi"
    assert parsed.meta["subunit"] == "Centre" and parsed.meta["instance"] == "pb-2027"
    assert parsed.meta["rule"] == "unknown" and parsed.meta["currency"] == "GEL"
    assert "Method of Equal Shares as pabutools computes it" in parsed.meta["comment"]
    assert parsed.meta["num_votes"] == "11" and parsed.meta["budget"] == "100000"
    a = parsed.projects[reference("A")]
    assert (a["votes"], a["cost"], a["selected"], a["category"]) == ("7", "60000", "1", "green")
    assert 41 < float(a["latitude"]) < 42 and 44 < float(a["longitude"]) < 46
    methods = sorted(v["voting_method"] for v in parsed.votes)
    assert methods == ["internet"] * 10 + ["paper"]
    # Voters are numbers of the file, never the person.
    keys = Ballot.objects.filter(budget=budget).values_list("person_key", flat=True)
    assert not any(key in text for key in keys)
    assert sorted(int(v["voter_id"]) for v in parsed.votes) == list(range(1, 12))


def test_the_export_reads_back_to_the_same_winners_as_pabutools(budget, officer):  # noqa: F811
    run = computed_and_published(budget, officer)
    text = services.export_election(budget)
    ours = services.compute(pabulib.election_from(pabulib.parse(text)))
    theirs = services.pabutools_winners(text)
    for rule in ("greedy", "mes"):
        assert sorted(ours[rule]["winners"]) == theirs[rule]
        assert ours[rule]["winners"] == run.outcome[rule]["winners"]


def test_the_election_is_public_only_once_published(client, budget, officer):  # noqa: F811
    url = f"/api/v1/budgeting/budgets/{budget.pk}/election.pb"
    assert Client().get(url).status_code == 404
    assert Client().get(url).json()["code"] == "not_found"
    client.force_login(officer)
    staff = client.get(url)
    assert staff.status_code == 200
    assert "selected" not in staff.content.decode().split("PROJECTS\n")[1].split("\n")[0]
    computed_and_published(budget, officer)
    assert Client().get(url).status_code == 200


def test_a_replayed_file_is_computed_and_compared_with_pabutools(
    client,
    officer,  # noqa: F811
    english_messages,
):
    client.force_login(officer)
    upload = SimpleUploadedFile(WARSAW.name, WARSAW.read_bytes(), content_type="text/plain")
    response = client.post("/en/budgeting/staff/replay/", {"file": upload, "compare": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Local PB in Warsaw" in page
    assert page.count("Same as pabutools:") == 2
    assert "<strong>no</strong>" not in page
    assert "Akademia Szkraba" in page


def test_a_malformed_file_is_refused_with_its_line(client, officer, english_messages):  # noqa: F811
    client.force_login(officer)
    lines = WARSAW.read_text(encoding="utf-8").splitlines()
    # The cost of the first project is not a number.
    at = lines.index("PROJECTS") + 2
    lines[at] = lines[at].replace("15995", "fifteen")
    upload = SimpleUploadedFile("broken.pb", "\n".join(lines).encode(), content_type="text/plain")
    response = client.post("/en/budgeting/staff/replay/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file broken.pb was refused:" in page
    assert f"Line {at + 1}:" in page


def test_a_replay_is_bounded(client, officer, english_messages):  # noqa: F811
    client.force_login(officer)
    upload = SimpleUploadedFile("big.pb", b"\xff\xfe" * 10, content_type="text/plain")
    response = client.post("/en/budgeting/staff/replay/", {"file": upload})
    assert response.status_code == 400
    assert "The file is not UTF-8 text." in response.content.decode()


@pytest.mark.parametrize("path", ["/en/budgeting/staff/replay/"])
def test_the_replay_page_is_for_staff(client, path, officer):  # noqa: F811
    assert client.get(path).status_code == 302  # to sign in
    client.force_login(officer)
    assert client.get(path).status_code == 200


def test_the_replay_api_answers_the_winners_of_both_rules(client, officer):  # noqa: F811
    client.force_login(officer)
    upload = SimpleUploadedFile(WARSAW.name, WARSAW.read_bytes(), content_type="text/plain")
    answer = client.post("/api/v1/budgeting/replay/", {"file": upload, "compare": "true"})
    assert answer.status_code == 200
    data = answer.json()
    assert (data["voters"], data["projects"], data["budget"]) == (27, 4, 51195)
    for rule in ("greedy", "mes"):
        assert data[rule]["same"] is True
        assert sorted(data[rule]["winners"]) == data[rule]["pabutools"]


def test_the_replay_api_names_the_line_of_a_malformed_file(client, officer, english_messages):  # noqa: F811
    client.force_login(officer)
    text = WARSAW.read_text(encoding="utf-8").replace("vote_type;approval", "vote_type;")
    upload = SimpleUploadedFile("broken.pb", text.encode(), content_type="text/plain")
    answer = client.post("/api/v1/budgeting/replay/", {"file": upload})
    assert answer.status_code == 400
    body = answer.json()
    line = WARSAW.read_text(encoding="utf-8").splitlines().index("vote_type;approval") + 1
    assert body["code"] == "malformed" and body["parameter"] == "file"
    assert body["detail"].startswith(f"Line {line}:")


def test_the_replay_api_is_for_budget_officers(client, db):
    upload = SimpleUploadedFile(WARSAW.name, WARSAW.read_bytes(), content_type="text/plain")
    assert client.post("/api/v1/budgeting/replay/", {"file": upload}).status_code in (401, 403)
    client.force_login(UserFactory())
    upload = SimpleUploadedFile(WARSAW.name, WARSAW.read_bytes(), content_type="text/plain")
    answer = client.post("/api/v1/budgeting/replay/", {"file": upload})
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
