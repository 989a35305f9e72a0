"""The auction workload (issue 13): bidders on one lot as fast as the server answers, while
watchers follow the lot's live page.

    python -m bench.auction [--db DB] [--duration 60] [--bidders 50] [--watchers 500]
                            [--watch sse|poll|both] [--json OUT]

One published lot with `bidders` registered bidders whose deposit is paid (verified accounts,
each with a session made directly in the database) is prepared in a child process with Django
(`prepare`). The servers are the production ones on 127.0.0.1: gunicorn (gisportal/gunicorn.conf.py)
takes the bids and, with `--watch poll`, the watchers' polls of the state endpoint; uvicorn
(gisportal.asgi) serves the stream with `--watch sse`.

The load is one asyncio process with raw streams (no HTTP library: the generator shares the two
cores with the servers and PostgreSQL). Watchers connect first and each takes its first state;
then each bidder bids the minimum of the last answer it had (201: the new minimum; 409
below_minimum: the minimum in the refusal; 409 already_leading: it leads, and tries again
after LEADING_PAUSE_S) for `duration` seconds; watchers stay WATCH_TAIL_S longer to see the
last bids. Figures:

- accepted bids per second, the latency of every bid answered (p50, p99) and of the accepted;
- for each accepted bid and each watcher, the time from the bid's answer reaching its bidder to
  the watcher's first state at that price or higher (p50, p99; a watcher that saw it before
  the bidder's answer arrived counts 0); bids a watcher never saw are counted apart;
- errors: any answer but 201, 409 below_minimum and 409 already_leading, and failed requests;
- checks from the database after the run: the price path rises by at least the step at each
  bid, the lot's leading bid is the highest standing, bid_count is the number of rows, every
  201 the clients had is a row once, and no row is without a 201 (inconsistencies).

Targets: at least 200 accepted bids/s, bid p99 at most 100 ms, watcher p99 at most 2 s,
0 errors, 0 inconsistencies.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field

from bench import LOGS, ROOT, db_conninfo, django_env
from bench.servers import ServerUnavailable, _spawn, free_port

TARGET_BIDS_PER_S = 200
TARGET_BID_P99_MS = 100
TARGET_WATCH_P99_S = 2.0
LEADING_PAUSE_S = 0.02
WATCH_TAIL_S = 3.0
POLL_EVERY_S = 1.0
CONNECT_BATCH = 50
REQUEST_TIMEOUT_S = 10.0
MAX_TRIES = 3
PRICE = re.compile(rb'"current_price":\s*"?([0-9.]+|null)')
CODE = re.compile(rb'"code":\s*"([a-z_]+)"')
MINIMUM = re.compile(rb'"minimum_bid":\s*"([0-9.]+)"')


def cents(text: bytes | str) -> int:
    whole, _, part = (text.decode() if isinstance(text, bytes) else text).partition(".")
    return int(whole) * 100 + int((part + "00")[:2])


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# --- The lot and its bidders (in a child with Django) ----------------------------------------


def prepare(bidders: int) -> dict:
    """A published lot in the first municipality, and `bidders` verified people registered on
    it with their deposit paid and a session each. Prints the lot and the sessions as JSON."""
    import datetime
    import hashlib
    from decimal import Decimal

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.gis.geos import MultiPolygon, Polygon
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from core.models import Municipality
    from estate.auctions import id_number_hash, id_number_mask
    from estate.models import (
        Asset,
        AssetKind,
        AssetState,
        BidderRegistration,
        Deposit,
        DepositStatus,
        Lot,
        LotAsset,
        LotKind,
        LotStatus,
        OwnershipBasis,
        RegistrationStatus,
    )

    run = uuid.uuid4().hex[:8]
    municipality = Municipality.objects.order_by("pk").first()
    if municipality is None:
        x, y = 218000.0, 4613000.0
        square = Polygon.from_bbox((x, y, x + 4000, y + 4000))
        square.srid = settings.SRID_STORAGE
        municipality = Municipality.objects.create(
            code="BTM",
            name_ka="ბათუმი",
            name_en="Batumi",
            boundary=MultiPolygon(square, srid=settings.SRID_STORAGE),
            center_lon=41.64,
            center_lat=41.64,
        )
    officer, _ = User.objects.get_or_create(username="bench-estate-officer")
    x0, y0, *_ = municipality.boundary.extent
    footprint = Polygon.from_bbox((x0 + 10, y0 + 10, x0 + 40, y0 + 40))
    footprint.srid = municipality.boundary.srid
    asset = Asset.objects.create(
        municipality=municipality,
        reference=f"BENCH-A-{run}",
        kind=AssetKind.LAND,
        cadastral_code=f"99.99.{run}",
        name_ka="სატესტო ნაკვეთი",
        name_en="Benchmark parcel",
        geom=MultiPolygon(footprint, srid=footprint.srid),
        area_m2=900.0,
        ownership_basis=OwnershipBasis.REGISTRATION,
        ownership_document="bench",
        state=AssetState.IN_AUCTION,
    )
    now = timezone.now()
    lot = Lot.objects.create(
        municipality=municipality,
        reference=f"BENCH-{run}",
        kind=LotKind.LEASE,
        title_ka="სატესტო აუქციონი",
        title_en="Benchmark auction",
        start_price=Decimal("1000.00"),
        bid_step=Decimal("1.00"),
        deposit_amount=Decimal("100.00"),
        lease_months=12,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
        status=LotStatus.PUBLISHED,
        published_at=now - datetime.timedelta(hours=1),
        created_by=officer,
    )
    LotAsset.objects.create(lot=lot, asset=asset)
    backend = "django.contrib.auth.backends.ModelBackend"
    sessions = []
    for n in range(1, bidders + 1):
        user = User.objects.create_user(
            username=f"bench-bidder-{run}-{n}",
            email=f"bidder-{run}-{n}@bench.invalid",
            first_name="Bidder",
            last_name=str(n),
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        number = str(int(hashlib.sha256(f"{run}{n}".encode()).hexdigest(), 16))[:11]
        registration = BidderRegistration.objects.create(
            municipality=municipality,
            lot=lot,
            user=user,
            legal_name=user.get_full_name(),
            id_number_hash=id_number_hash(number),
            id_number_masked=id_number_mask(number),
            alias=n,
            deposit=lot.deposit,
            status=RegistrationStatus.PAID,
        )
        Deposit.objects.create(
            municipality=municipality,
            registration=registration,
            provider="demo",
            provider_reference=f"bench-{run}-{n}",
            amount=lot.deposit,
            status=DepositStatus.PAID,
            paid_at=now,
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    return {
        "lot_id": lot.pk,
        "reference": lot.reference,
        "step_cents": cents(str(lot.bid_step)),
        "start_cents": cents(str(lot.start_price)),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "sessions": sessions,
    }


def prepared(db: str, bidders: int) -> dict:
    env = django_env(db)
    env.setdefault("DJANGO_SETTINGS_MODULE", "gisportal.settings")
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.auction", "prepare", "--bidders", str(bidders)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def migrate(db: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=django_env(db),
        check=True,
    )


# --- The servers -----------------------------------------------------------------------------


@contextlib.contextmanager
def servers(db: str, *, workers: int, threads: int, uvicorn: bool):
    """gunicorn for the bids (and the polls), uvicorn for the stream; both on 127.0.0.1."""
    env = django_env(db)
    env.update(DEBUG="false", PYTHONDONTWRITEBYTECODE="1")
    port = free_port()
    gunicorn = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "gisportal.wsgi:application",
        "--config",
        "gisportal/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    with _spawn("auction-gunicorn", gunicorn, env=env, ready_path="/healthz", port=port, db=db) as (
        base,
        _,
    ):
        if not uvicorn:
            yield base, None
            return
        stream_port = free_port()
        command = [
            str(ROOT / ".venv" / "bin" / "uvicorn"),
            "gisportal.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(stream_port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        with _spawn(
            "auction-uvicorn", command, env=env, ready_path="/healthz", port=stream_port, db=db
        ) as (stream_base, _):
            yield base, stream_base


# --- HTTP on raw streams ---------------------------------------------------------------------


class Closed(Exception):
    pass


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding") == b"chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
        return status, headers, body
    length = int(headers.get(b"content-length", b"0"))
    body = await reader.readexactly(length) if length else b""
    return status, headers, body


@dataclass
class Client:
    host: str
    port: int
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    async def request(self, data: bytes) -> tuple[int, dict, bytes]:
        """One request; on any failure the connection is dropped (a late answer must never
        be read as the next request's)."""
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.write(data)
            answer = await asyncio.wait_for(read_response(self.reader), REQUEST_TIMEOUT_S)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as e:
            self.close()
            raise Closed(f"{e.__class__.__name__}: {e}") from e
        if answer[1].get(b"connection", b"").lower() == b"close":
            self.close()
        return answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def split(base: str) -> tuple[str, int]:
    host, _, port = base.removeprefix("http://").partition(":")
    return host, int(port)


# --- The load --------------------------------------------------------------------------------


@dataclass
class Figures:
    accepted: list[tuple[float, int, str]] = field(default_factory=list)  # (answered, cents, key)
    latencies: list[float] = field(default_factory=list)
    accepted_latencies: list[float] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seen: list[tuple[list[int], list[float]]] = field(default_factory=list)
    watcher_errors: list[str] = field(default_factory=list)
    bidding_seconds: float = 0.0


async def bidder(
    n: int, plan: dict, base: str, stop: asyncio.Event, figures: Figures, start_cents: int
) -> None:
    host, port = split(base)
    client = Client(host, port)
    csrf = uuid.uuid4().hex
    path = f"/api/v1/estate/lots/{plan['reference']}/bids"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: {plan['session_cookie']}={plan['sessions'][n]}; {plan['csrf_cookie']}={csrf}\r\n"
        f"X-CSRFToken: {csrf}\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
    ).encode()
    minimum = start_cents
    retry: tuple[str, int] | None = None
    tries = 0
    try:
        while not stop.is_set() or retry is not None:
            # After a failed request the same key and amount again: the bid is made once, and
            # a retry of one made before answers 200 with it.
            key, amount_cents = retry or (str(uuid.uuid4()), minimum)
            amount = f"{amount_cents // 100}.{amount_cents % 100:02d}"
            body = json.dumps({"amount": amount, "key": key}).encode()
            data = head + b"Content-Length: %d\r\n\r\n" % len(body) + body
            sent = time.monotonic()
            try:
                status, _, answer = await client.request(data)
            except Closed as e:
                figures.errors.append(f"request failed: {e}")
                tries += 1
                retry = (key, amount_cents) if tries < MAX_TRIES else None
                await asyncio.sleep(0.1)
                continue
            retry, tries = None, 0
            answered = time.monotonic()
            figures.latencies.append(answered - sent)
            code = CODE.search(answer)
            label = f"{status} {code.group(1).decode() if code else ''}".strip()
            figures.answers[label] = figures.answers.get(label, 0) + 1
            found = MINIMUM.search(answer)
            if status in (200, 201):
                figures.accepted.append((answered, amount_cents, key))
                figures.accepted_latencies.append(answered - sent)
                if found:
                    minimum = cents(found.group(1))
            elif status == 409 and code and code.group(1) == b"below_minimum" and found:
                minimum = cents(found.group(1))
            elif status == 409 and code and code.group(1) == b"already_leading":
                await asyncio.sleep(LEADING_PAUSE_S)
            else:
                figures.errors.append(f"{label}: {answer[:200]!r}")
                await asyncio.sleep(0.05)
    finally:
        client.close()


async def sse_watcher(
    plan: dict, base: str, stop: asyncio.Event, ready: asyncio.Event, figures: Figures, counter
):
    host, port = split(base)
    prices: list[int] = []
    times: list[float] = []
    figures.seen.append((prices, times))
    path = f"/api/v1/estate/lots/{plan['reference']}/events"
    writer = None
    try:
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            raise Closed(head.split(b"\r\n", 1)[0].decode())
        chunked = b"chunked" in head.lower()
        first = True
        while True:
            if chunked:
                size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
            else:
                chunk = await reader.readuntil(b"\n\n")
            matches = PRICE.findall(chunk)
            if matches:
                found = matches[-1]
                price = 0 if found == b"null" else cents(found)
                prices.append(price)
                times.append(time.monotonic())
                if first:
                    first = False
                    counter[0] += 1
                    if counter[0] >= counter[1]:
                        ready.set()
            if stop.is_set():
                break
    except (OSError, asyncio.IncompleteReadError, Closed, ValueError) as e:
        if not stop.is_set():
            figures.watcher_errors.append(f"{e.__class__.__name__}: {e}")
    finally:
        if writer is not None:
            writer.close()


async def poll_watcher(
    plan: dict, base: str, stop: asyncio.Event, ready: asyncio.Event, figures: Figures, counter
):
    """A browser without the stream: the state endpoint every POLL_EVERY_S, If-None-Match."""
    host, port = split(base)
    client = Client(host, port)
    prices: list[int] = []
    times: list[float] = []
    figures.seen.append((prices, times))
    path = f"/api/v1/estate/lots/{plan['reference']}/state"
    etag = b""
    first = True
    try:
        while not stop.is_set():
            began = time.monotonic()
            request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
            data = request.encode() + (b"If-None-Match: " + etag + b"\r\n" if etag else b"")
            try:
                status, headers, body = await client.request(data + b"\r\n")
            except Closed as e:
                figures.watcher_errors.append(str(e))
                await asyncio.sleep(POLL_EVERY_S)
                continue
            if status == 200:
                etag = headers.get(b"etag", b"")
                found = PRICE.search(body)
                if found:
                    value = found.group(1)
                    prices.append(0 if value == b"null" else cents(value))
                    times.append(time.monotonic())
            elif status != 304:
                figures.watcher_errors.append(f"state answered {status}")
            if first:
                first = False
                counter[0] += 1
                if counter[0] >= counter[1]:
                    ready.set()
            await asyncio.sleep(max(0.0, POLL_EVERY_S - (time.monotonic() - began)))
    finally:
        client.close()


async def load(plan: dict, bids_base: str, watch_base: str, *, mode: str, args) -> Figures:
    figures = Figures()
    stop_bids, stop_watch, ready = asyncio.Event(), asyncio.Event(), asyncio.Event()
    counter = [0, args.watchers]
    watch = sse_watcher if mode == "sse" else poll_watcher
    watchers = []
    for i in range(args.watchers):
        watchers.append(
            asyncio.create_task(watch(plan, watch_base, stop_watch, ready, figures, counter))
        )
        if i % CONNECT_BATCH == CONNECT_BATCH - 1:
            await asyncio.sleep(0.05 if mode == "sse" else POLL_EVERY_S / (args.watchers / 50))
    if args.watchers:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), 60)
    connected = counter[0]
    bidders = [
        asyncio.create_task(bidder(n, plan, bids_base, stop_bids, figures, plan["start_cents"]))
        for n in range(args.bidders)
    ]
    started = time.monotonic()
    await asyncio.sleep(args.duration)
    stop_bids.set()
    await asyncio.gather(*bidders, return_exceptions=True)
    figures.bidding_seconds = time.monotonic() - started
    await asyncio.sleep(WATCH_TAIL_S if args.watchers else 0)
    stop_watch.set()
    for task in watchers:
        task.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    figures.answers["watchers connected"] = connected
    return figures


# --- After the run ---------------------------------------------------------------------------


def check(db: str, plan: dict, figures: Figures) -> list[dict]:
    """The database's price path against what the clients were told."""
    import psycopg

    with psycopg.connect(**db_conninfo(db)) as conn:
        lot = conn.execute(
            "SELECT bid_step, current_price, leading_bid_id, bid_count FROM estate_lot "
            "WHERE id = %s",
            [plan["lot_id"]],
        ).fetchone()
        rows = conn.execute(
            "SELECT id, sequence, amount, key::text FROM estate_bid "
            "WHERE lot_id = %s AND cancelled_at IS NULL ORDER BY sequence",
            [plan["lot_id"]],
        ).fetchall()
    step, price, leading_id, bid_count = lot
    checks = []
    steps_bad = sum(1 for a, b in zip(rows, rows[1:], strict=False) if b[2] - a[2] < step)
    checks.append(
        {
            "name": "the price path rises by at least the step at each bid",
            "ok": steps_bad == 0,
            "detail": f"{len(rows)} bids, {steps_bad} rising by less",
        }
    )
    top = max(rows, key=lambda r: r[2]) if rows else None
    checks.append(
        {
            "name": "exactly one bid leads, the highest standing",
            "ok": (top is None and leading_id is None)
            or (top is not None and leading_id == top[0] and price == top[2]),
            "detail": f"leading bid {leading_id}, highest {top[0] if top else None}",
        }
    )
    checks.append(
        {
            "name": "bid_count is the number of bids",
            "ok": bid_count == len(rows),
            "detail": f"bid_count {bid_count}, rows {len(rows)}",
        }
    )
    keys = [key for _, _, key in figures.accepted]
    stored = {r[3]: r for r in rows}
    lost = [k for k in keys if k not in stored]
    twice = len(keys) - len(set(keys))
    checks.append(
        {
            "name": "every 201 is a bid, none lost, none twice",
            "ok": not lost and twice == 0,
            "detail": f"{len(keys)} accepted answers, {len(lost)} without a row, {twice} twice",
        }
    )
    unanswered = len(set(stored) - set(keys))
    checks.append(
        {
            "name": "no bid stored without its 201",
            "ok": unanswered == 0,
            "detail": f"{unanswered} rows whose answer the client did not get",
        }
    )
    amounts = {r[3]: cents(str(r[2])) for r in rows}
    wrong = sum(1 for _, c, key in figures.accepted if key in amounts and amounts[key] != c)
    checks.append(
        {
            "name": "each accepted amount is the stored amount",
            "ok": wrong == 0,
            "detail": f"{wrong} differ",
        }
    )
    return checks


def watcher_delays(figures: Figures) -> tuple[list[float], int]:
    """For every accepted bid and every watcher: seconds from the bid's answer to the watcher's
    first state at that price or higher (0 when the watcher had it first)."""
    delays, unseen = [], 0
    bids = sorted(figures.accepted, key=lambda b: b[1])
    for prices, times in figures.seen:
        if not prices:
            unseen += len(bids)
            continue
        # A watcher's prices only rise; a stale message after a newer one changes nothing.
        running, kept_p, kept_t = -1, [], []
        for p, t in zip(prices, times, strict=True):
            if p > running:
                running = p
                kept_p.append(p)
                kept_t.append(t)
        for answered, amount, _ in bids:
            i = bisect.bisect_left(kept_p, amount)
            if i == len(kept_p):
                unseen += 1
            else:
                delays.append(max(0.0, kept_t[i] - answered))
    return delays, unseen


def summary(mode: str, figures: Figures, checks: list[dict], args) -> dict:
    delays, unseen = watcher_delays(figures)
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    accepted = len(figures.accepted)
    rate = accepted / figures.bidding_seconds if figures.bidding_seconds else 0.0
    result = {
        "watch": mode,
        "bidders": args.bidders,
        "watchers": args.watchers,
        "duration_s": round(figures.bidding_seconds, 1),
        "accepted": accepted,
        "accepted_per_s": round(rate, 1),
        "bids_answered": len(figures.latencies),
        "bid_p50_ms": ms(percentile(figures.latencies, 50)),
        "bid_p99_ms": ms(percentile(figures.latencies, 99)),
        "accepted_p50_ms": ms(percentile(figures.accepted_latencies, 50)),
        "accepted_p99_ms": ms(percentile(figures.accepted_latencies, 99)),
        "watch_p50_s": None if not delays else round(percentile(delays, 50), 3),
        "watch_p99_s": None if not delays else round(percentile(delays, 99), 3),
        "watch_unseen": unseen,
        "watcher_messages": sum(len(p) for p, _ in figures.seen),
        "watcher_errors": len(figures.watcher_errors),
        "errors": len(figures.errors),
        "error_samples": sorted(set(figures.errors))[:5] + sorted(set(figures.watcher_errors))[:5],
        "answers": figures.answers,
        "checks": checks,
        "inconsistencies": sum(1 for c in checks if not c["ok"]),
    }
    result["targets"] = targets(result)
    return result


def targets(r: dict) -> list[dict]:
    def met(value, ok):
        return None if value is None else ok(value)

    return [
        {
            "target": f"accepted bids/s >= {TARGET_BIDS_PER_S}",
            "value": r["accepted_per_s"],
            "met": r["accepted_per_s"] >= TARGET_BIDS_PER_S,
        },
        {
            "target": f"bid p99 <= {TARGET_BID_P99_MS} ms",
            "value": r["bid_p99_ms"],
            "met": met(r["bid_p99_ms"], lambda v: v <= TARGET_BID_P99_MS),
        },
        {
            "target": f"watcher p99 <= {TARGET_WATCH_P99_S} s ({r['watch']})",
            "value": r["watch_p99_s"],
            "met": met(
                r["watch_p99_s"], lambda v: v <= TARGET_WATCH_P99_S and not r["watch_unseen"]
            ),
        },
        {
            "target": "0 errors",
            "value": r["errors"] + r["watcher_errors"],
            "met": r["errors"] + r["watcher_errors"] == 0,
        },
        {
            "target": "0 inconsistencies",
            "value": r["inconsistencies"],
            "met": r["inconsistencies"] == 0,
        },
    ]


def describe(r: dict) -> str:
    return (
        f"{r['watch']}: {r['accepted']} accepted in {r['duration_s']} s = {r['accepted_per_s']}/s "
        f"({r['bids_answered']} answered: {r['answers']}); "
        f"bid p50 {r['bid_p50_ms']} ms p99 {r['bid_p99_ms']} ms; watcher p50 {r['watch_p50_s']} s "
        f"p99 {r['watch_p99_s']} s ({r['watch_unseen']} unseen, {r['watcher_messages']} messages); "
        f"errors {r['errors']} (+{r['watcher_errors']} watcher); "
        f"inconsistencies {r['inconsistencies']}"
    )


def run_one(db: str, mode: str, args) -> dict:
    plan = prepared(db, args.bidders)
    with servers(db, workers=args.workers, threads=args.threads, uvicorn=mode == "sse") as (
        bids_base,
        stream_base,
    ):
        watch_base = stream_base if mode == "sse" else bids_base
        figures = asyncio.run(load(plan, bids_base, watch_base, mode=mode, args=args))
    result = summary(mode, figures, check(db, plan, figures), args)
    result["servers"] = {
        "gunicorn": f"{args.workers} workers × {args.threads} threads",
        "stream": "uvicorn, 1 process" if mode == "sse" else "gunicorn (polling)",
    }
    return result


def stage(run) -> None:
    """The auction workload inside `python -m bench.run` (group "auction")."""
    if not run.wants("auction"):
        return
    smoke = run.args.smoke
    args = argparse.Namespace(
        bidders=10 if smoke else 50,
        watchers=50 if smoke else 500,
        duration=3.0 if smoke else 60.0,
        workers=WORKERS,
        threads=THREADS,
    )
    modes = ("sse",) if smoke else ("sse", "poll")
    with run.stage(
        f"auction: {args.bidders} bidders, {args.watchers} watchers, {args.duration:.0f} s"
    ):
        results = {}  # bench.data has migrated the database
        for mode in modes:
            results[mode] = run_one(run.args.db, mode, args)
            print(f"   {describe(results[mode])}", flush=True)
            for c in results[mode]["checks"]:
                run.results["checks"].append(
                    {"name": f"auction ({mode}): {c['name']}", "ok": c["ok"], "detail": c["detail"]}
                )
        run.results["auction"] = results


WORKERS = 2
THREADS = 8


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.auction", description=__doc__.split("\n\n")[0]
    )
    sub = p.add_subparsers(dest="command")
    prep = sub.add_parser("prepare", help="(internal) the lot and its bidders, as JSON")
    prep.add_argument("--bidders", type=int, default=50)
    p.add_argument("--db", default="gisportal_bench")
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--bidders", type=int, default=50)
    p.add_argument("--watchers", type=int, default=500)
    p.add_argument("--watch", choices=("sse", "poll", "both"), default="sse")
    p.add_argument("--workers", type=int, default=WORKERS, help="gunicorn workers")
    p.add_argument("--threads", type=int, default=THREADS, help="gunicorn threads per worker")
    p.add_argument("--no-migrate", action="store_true")
    p.add_argument("--json", default=None, help="write the figures here")
    args = p.parse_args(argv)
    if args.command == "prepare":
        import django

        django.setup()
        print(json.dumps(prepare(args.bidders)))
        return 0
    LOGS.mkdir(parents=True, exist_ok=True)
    if not args.no_migrate:
        migrate(args.db)
    results = {}
    failed = False
    for mode in ("sse", "poll") if args.watch == "both" else (args.watch,):
        try:
            results[mode] = run_one(args.db, mode, args)
        except ServerUnavailable as e:
            print(f"{mode}: {e}", file=sys.stderr)
            failed = True
            continue
        r = results[mode]
        print(describe(r))
        for t in r["targets"]:
            print(f"   {'met' if t['met'] else 'MISSED':<7} {t['target']}: {t['value']}")
        for c in r["checks"]:
            print(f"   check {'ok' if c['ok'] else 'FAILED'}: {c['name']}: {c['detail']}")
        if r["error_samples"]:
            print("   errors, for example: " + "; ".join(r["error_samples"]))
        failed = failed or r["inconsistencies"] > 0
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2, default=str)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
