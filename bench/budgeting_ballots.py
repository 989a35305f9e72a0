"""A last-day ballot rush: residents checking out their ballots as fast as the server answers.

    python -m bench.budgeting_ballots [--db DB] [--duration 60] [--residents 100000]
                                      [--clients 32] [--json OUT]

A generated cycle is prepared in a child process with Django (`prepare`): a bench municipality
with 20 districts (core.District), a budget of each and a city-wide one, ten priced projects in
each, and `residents` generated residents loaded through the voter list
(budgeting.voter_list.load_rows), each with a verified account that has verified itself against
the list and a session made directly in the database. The server is the production one on
127.0.0.1: gunicorn (gisportal/gunicorn.conf.py).

The load is one asyncio process with raw streams, as bench/auction.py: `clients` connections,
each taking the next resident and checking out a valid knapsack ballot for the budget of the
resident's district (POST /api/v1/budgeting/ballots/{budget}/checkout), for `duration` seconds.
A third of the way in, 50 connections check out at the same moment for one more resident
(each its own choice). Figures:

- accepted ballots per second, the latency of every checkout answered (p50, p99);
- errors: any answer but 200, and failed requests;
- checks from the database after the run: the ballots for the duplicate resident (1), every
  200 a counted ballot of its resident, and no counted ballot without its 200.

Targets: at least 150 checked-out ballots/s, p99 at most 300 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field

from bench import ROOT, db_conninfo, django_env
from bench.auction import Client, Closed, percentile, servers, split

TARGET_PER_S = 150
TARGET_P99_MS = 300
DISTRICTS = 20
PROJECTS = 10
DUPLICATES = 50
BUDGET = 500_000
CITYWIDE = 2_000_000
MUNICIPALITY = "pb-bench"
CODE = re.compile(rb'"code":\s*"([a-z_]+)"')
WORKERS = 2
THREADS = 8


# --- The cycle and its residents (in a child with Django) ------------------------------------


def _world():
    """The bench municipality and its 20 districts, made once in a database."""
    from django.conf import settings
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from core.models import District, Municipality

    def square(x, y, size):
        polygon = Polygon.from_bbox((x, y, x + size, y + size))
        polygon.srid = settings.SRID_STORAGE
        return MultiPolygon(polygon, srid=settings.SRID_STORAGE)

    x0, y0 = 600_000.0, 4_600_000.0
    municipality, _ = Municipality.objects.get_or_create(
        code=MUNICIPALITY,
        defaults={
            "name_ka": "სატესტო ქალაქი",
            "name_en": "Bench city",
            "boundary": square(x0, y0, 10_000),
            "center_lon": 46.2,
            "center_lat": 41.55,
        },
    )
    districts = []
    for n in range(DISTRICTS):
        col, row = n % 5, n // 5
        district, _ = District.objects.get_or_create(
            municipality=municipality,
            code=f"d{n + 1:02d}",
            defaults={
                "name_ka": f"უბანი {n + 1}",
                "name_en": f"District {n + 1}",
                "boundary": square(x0 + col * 2000, y0 + row * 2000, 2000),
                "population": 5000,
            },
        )
        districts.append(district)
    return municipality, districts


def prepare(residents: int) -> dict:
    """A cycle in its voting phase, its budgets and projects, and `residents` residents on the
    voter list, each verified with an account and a session. Prints the plan as JSON."""
    import datetime
    import uuid

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.gis.geos import Point
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction
    from django.utils import timezone

    from budgeting import voters
    from budgeting.models import (
        Budget,
        Category,
        Cycle,
        CyclePhase,
        Phase,
        Proposal,
        ProposalStatus,
        Voter,
    )

    run = uuid.uuid4().hex[:8]
    municipality, districts = _world()
    now = timezone.now()
    cycle = Cycle.objects.create(
        municipality=municipality,
        slug=f"rush-{run}",
        name_ka="ბოლო დღე",
        name_en="The last day",
        min_share_percent=70,
    )
    CyclePhase.objects.create(
        municipality=municipality,
        cycle=cycle,
        kind=Phase.BALLOTING,
        starts_at=now - datetime.timedelta(days=6),
        ends_at=now + datetime.timedelta(hours=20),
    )
    budgets: dict[int, dict] = {}
    by_district: dict[int, int] = {}
    rng = random.Random(run)
    for district in [*districts, None]:
        budget = Budget.objects.create(
            municipality=municipality,
            cycle=cycle,
            district=district,
            name_ka=district.name_ka if district else "საქალაქო",
            name_en=district.name_en if district else "City-wide",
            amount=BUDGET if district else CITYWIDE,
        )
        centre = (district or municipality).boundary.centroid
        proposals = [
            Proposal(
                municipality=municipality,
                cycle=cycle,
                budget=budget,
                reference=f"PB-{run}-{budget.pk}-{i}",
                title=f"Project {i + 1}",
                description="A generated project.",
                category=Category.GREEN,
                location=Point(centre.x + i * 20, centre.y, srid=settings.SRID_STORAGE),
                estimated_cost=cost,
                cost=cost,
                status=ProposalStatus.FEASIBLE,
            )
            for i, cost in enumerate(
                rng.randrange(40, 160) * 1000 * (4 if district is None else 1)
                for _ in range(PROJECTS)
            )
        ]
        Proposal.objects.bulk_create(proposals)
        budgets[budget.pk] = {
            "amount": budget.amount,
            "projects": [[p.pk, p.cost] for p in proposals],
        }
        if district is not None:
            by_district[district.pk] = budget.pk

    # The voter list, through the loader staff use (a person's number: 11 digits).
    people = [
        (f"7{run_number(run)}{n:07d}"[:11], 1940 + n % 60, districts[n % DISTRICTS])
        for n in range(residents + 1)
    ]
    try:
        from budgeting.voter_list import load_rows
    except ImportError:  # the loader not there: the rows themselves
        load_rows = None
    if load_rows is not None:
        load_rows(cycle, iter(people))
    else:
        Voter.objects.bulk_create(
            [
                Voter(
                    municipality=municipality,
                    cycle=cycle,
                    person_key=voters.person_key(number),
                    person_masked=voters.mask(number),
                    birth_year=year,
                    district=district,
                )
                for number, year, district in people
            ],
            batch_size=5000,
        )

    # Verified accounts, each verified as its resident, each with a session.
    users = User.objects.bulk_create(
        [
            User(
                username=f"pb-{run}-{n}",
                email=f"pb-{run}-{n}@bench.invalid",
                password="!",
                first_name="Resident",
                last_name=str(n),
            )
            for n in range(len(people))
        ],
        batch_size=5000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=5000,
    )
    keys = [voters.person_key(number) for number, _, _ in people]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_claim (person_key text, user_id bigint)")
        with cursor.cursor.copy("COPY bench_claim (person_key, user_id) FROM STDIN") as copy:
            for key, user in zip(keys, users, strict=True):
                copy.write_row((key, user.pk))
        cursor.execute(
            "UPDATE budgeting_voter v SET user_id = c.user_id, verified_at = now() "
            "FROM bench_claim c WHERE v.cycle_id = %s AND v.person_key = c.person_key",
            [cycle.pk],
        )
        cursor.execute("DROP TABLE bench_claim")
    backend = "django.contrib.auth.backends.ModelBackend"
    expires = now + datetime.timedelta(days=1)
    store = SessionStore()
    sessions = []
    for user in users:
        key = uuid.uuid4().hex
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expires)
        )
    Session.objects.bulk_create(sessions, batch_size=5000)
    residents_plan = [
        [s.session_key, by_district[district.pk]]
        for s, (_, _, district) in zip(sessions, people, strict=True)
    ]
    return {
        "cycle": cycle.pk,
        "run": run,
        "budgets": budgets,
        "residents": residents_plan[:-1],
        "duplicate": residents_plan[-1],
        "duplicate_key": keys[-1],
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
    }


def run_number(run: str) -> str:
    """Three digits of the run, so that runs do not share personal numbers."""
    return f"{int(run, 16) % 1000:03d}"


def prepared(db: str, residents: int) -> dict:
    env = django_env(db)
    env.setdefault("DJANGO_SETTINGS_MODULE", "gisportal.settings")
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.budgeting_ballots", "prepare", "--residents", str(residents)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- The load --------------------------------------------------------------------------------


def valid_choices(budget: dict, rng: random.Random, count: int = 50) -> list[list[int]]:
    """Knapsack ballots of a budget: at least 70% of it and at most all of it."""
    projects = budget["projects"]
    low, high = -(-budget["amount"] * 70 // 100), budget["amount"]
    found = []
    for size in range(1, len(projects) + 1):
        for combo in itertools.combinations(projects, size):
            if low <= sum(c for _, c in combo) <= high:
                found.append([pk for pk, _ in combo])
    rng.shuffle(found)
    return found[:count]


@dataclass
class Figures:
    accepted: list[str] = field(default_factory=list)  # session keys answered 200
    latencies: list[float] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    duplicate_answers: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def head(plan: dict, base: str, session: str, budget: int) -> bytes:
    host, port = split(base)
    csrf = "b" * 32
    return (
        f"POST /api/v1/budgeting/ballots/{budget}/checkout HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: {plan['session_cookie']}={session}; {plan['csrf_cookie']}={csrf}\r\n"
        f"X-CSRFToken: {csrf}\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
        "Accept-Language: en\r\n"
    ).encode()


def request_bytes(plan, base, session, budget, choice) -> bytes:
    body = json.dumps({"projects": choice}).encode()
    return head(plan, base, session, budget) + b"Content-Length: %d\r\n\r\n" % len(body) + body


async def resident_client(plan, base, queue, choices, stop, figures, rng) -> None:
    client = Client(*split(base))
    try:
        while not stop.is_set():
            try:
                session, budget = next(queue)
            except StopIteration:
                return
            data = request_bytes(plan, base, session, budget, rng.choice(choices[budget]))
            sent = time.monotonic()
            try:
                status, _, answer = await client.request(data)
            except Closed as e:
                figures.errors.append(f"request failed: {e}")
                await asyncio.sleep(0.05)
                continue
            figures.latencies.append(time.monotonic() - sent)
            code = CODE.search(answer) if status != 200 else None
            label = f"{status} {code.group(1).decode() if code else ''}".strip()
            figures.answers[label] = figures.answers.get(label, 0) + 1
            if status == 200:
                figures.accepted.append(session)
            else:
                figures.errors.append(f"{label}: {answer[:200]!r}")
    finally:
        client.close()


async def duplicates(plan, base, choices, figures, rng) -> None:
    """50 connections check out for one resident at the same moment."""
    session, budget = plan["duplicate"]
    clients = [Client(*split(base)) for _ in range(DUPLICATES)]
    # Connect first, so that the requests leave together.
    for client in clients:
        client.reader, client.writer = await asyncio.open_connection(client.host, client.port)
    go = asyncio.Event()

    async def one(client):
        await go.wait()
        data = request_bytes(plan, base, session, budget, rng.choice(choices[budget]))
        try:
            status, _, answer = await client.request(data)
        except Closed as e:
            figures.errors.append(f"duplicate request failed: {e}")
            return
        label = str(status)
        figures.duplicate_answers[label] = figures.duplicate_answers.get(label, 0) + 1
        if status != 200:
            figures.errors.append(f"duplicate {status}: {answer[:200]!r}")
        client.close()

    tasks = [asyncio.create_task(one(c)) for c in clients]
    await asyncio.sleep(0.05)
    go.set()
    await asyncio.gather(*tasks)


async def load(plan: dict, base: str, *, duration: float, clients: int) -> Figures:
    figures = Figures()
    rng = random.Random(plan["run"])
    choices = {int(pk): valid_choices(b, rng) for pk, b in plan["budgets"].items()}
    queue = iter(plan["residents"])
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(
            resident_client(plan, base, queue, choices, stop, figures, random.Random(n))
        )
        for n in range(clients)
    ]
    started = time.monotonic()
    await asyncio.sleep(duration / 3)
    await duplicates(plan, base, choices, figures, rng)
    await asyncio.sleep(max(0.0, duration - (time.monotonic() - started)))
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    figures.seconds = time.monotonic() - started
    return figures


# --- After the run ---------------------------------------------------------------------------


def check(db: str, plan: dict, figures: Figures) -> list[dict]:
    import psycopg

    with psycopg.connect(**db_conninfo(db)) as conn:
        conn.execute("SET gisportal.municipalities = '*'")
        duplicate = conn.execute(
            "SELECT count(*) FROM budgeting_ballot WHERE budget_id = %s AND person_key = %s",
            [plan["duplicate"][1], plan["duplicate_key"]],
        ).fetchone()[0]
        counted = conn.execute(
            "SELECT count(*) FROM budgeting_ballot WHERE cycle_id = %s AND status = 'checked_out'",
            [plan["cycle"]],
        ).fetchone()[0]
    answered = len(set(figures.accepted))
    return [
        {
            "name": f"ballots for the duplicate resident: {duplicate}",
            "ok": duplicate == 1,
            "detail": f"{DUPLICATES} parallel checkouts answered {figures.duplicate_answers}",
        },
        {
            "name": "every 200 is a counted ballot, and every counted ballot had its 200",
            "ok": counted == answered + (1 if duplicate else 0),
            "detail": f"{counted} counted ballots, {answered} residents answered 200 (+1 duplicate)",
        },
    ]


def summary(figures: Figures, checks: list[dict], args) -> dict:
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    accepted = len(figures.accepted)
    rate = accepted / figures.seconds if figures.seconds else 0.0
    result = {
        "residents": args.residents,
        "districts": DISTRICTS,
        "clients": args.clients,
        "duration_s": round(figures.seconds, 1),
        "accepted": accepted,
        "accepted_per_s": round(rate, 1),
        "answered": len(figures.latencies),
        "p50_ms": ms(percentile(figures.latencies, 50)),
        "p99_ms": ms(percentile(figures.latencies, 99)),
        "errors": len(figures.errors),
        "error_samples": sorted(set(figures.errors))[:5],
        "answers": figures.answers,
        "duplicate_answers": figures.duplicate_answers,
        "checks": checks,
        "inconsistencies": sum(1 for c in checks if not c["ok"]),
    }
    result["targets"] = [
        {
            "target": f"checked-out ballots/s >= {TARGET_PER_S}",
            "value": result["accepted_per_s"],
            "met": result["accepted_per_s"] >= TARGET_PER_S,
        },
        {
            "target": f"checkout p99 <= {TARGET_P99_MS} ms",
            "value": result["p99_ms"],
            "met": None if result["p99_ms"] is None else result["p99_ms"] <= TARGET_P99_MS,
        },
        {"target": "0 errors", "value": result["errors"], "met": result["errors"] == 0},
        {
            "target": "0 inconsistencies",
            "value": result["inconsistencies"],
            "met": result["inconsistencies"] == 0,
        },
    ]
    return result


def describe(r: dict) -> str:
    return (
        f"{r['accepted']} ballots checked out in {r['duration_s']} s = {r['accepted_per_s']}/s "
        f"({r['answered']} answered: {r['answers']}); p50 {r['p50_ms']} ms p99 {r['p99_ms']} ms; "
        f"errors {r['errors']}; {r['checks'][0]['name']}"
    )


def run_one(db: str, args) -> dict:
    began = time.monotonic()
    plan = prepared(db, args.residents)
    prepare_s = time.monotonic() - began
    with servers(db, workers=args.workers, threads=args.threads, uvicorn=False) as (base, _):
        figures = asyncio.run(load(plan, base, duration=args.duration, clients=args.clients))
    result = summary(figures, check(db, plan, figures), args)
    result["prepare_s"] = round(prepare_s, 1)
    result["servers"] = {"gunicorn": f"{args.workers} workers × {args.threads} threads"}
    return result


def stage(run) -> None:
    """The ballot rush inside `python -m bench.run` (group "ballots")."""
    if not run.wants("ballots"):
        return
    smoke = run.args.smoke
    args = argparse.Namespace(
        residents=5_000 if smoke else 100_000,
        duration=10.0 if smoke else 60.0,
        clients=CLIENTS,
        workers=WORKERS,
        threads=THREADS,
    )
    with run.stage(
        f"ballots: {args.residents} residents in {DISTRICTS} districts, {args.duration:.0f} s"
    ):
        result = run_one(run.args.db, args)  # bench.data has migrated the database
        print(f"   {describe(result)}", flush=True)
        for c in result["checks"]:
            run.results["checks"].append(
                {"name": f"ballots: {c['name']}", "ok": c["ok"], "detail": c["detail"]}
            )
        run.results["ballots"] = result


CLIENTS = 32


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("command", nargs="?", default="run", choices=["run", "prepare"])
    p.add_argument("--db", default="gp_ballots_bench")
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--residents", type=int, default=100_000)
    p.add_argument("--clients", type=int, default=CLIENTS)
    p.add_argument("--workers", type=int, default=WORKERS)
    p.add_argument("--threads", type=int, default=THREADS)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    if args.command == "prepare":
        import django

        django.setup()
        print(json.dumps(prepare(args.residents)))
        return 0
    result = run_one(args.db, args)
    print(describe(result))
    print(f"prepared in {result['prepare_s']} s")
    for t in result["targets"]:
        met = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        print(f"   {met:<12} {t['target']}: {t['value']}")
    for c in result["checks"]:
        print(f"   {'ok' if c['ok'] else 'FAILED':<12} {c['name']} ({c['detail']})")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    return 0 if all(t["met"] for t in result["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
