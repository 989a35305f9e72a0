# ruff: noqa: F811  (the fixtures imported below are arguments of the tests)
"""The lot's stream of states (estate/live.py): under WSGI a generator that polls the version,
under ASGI the process's one LISTEN connection fanning out to the watchers."""

from __future__ import annotations

import asyncio
import json
import uuid
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.urls import NoReverseMatch, reverse

from estate import live
from estate.auctions import bid_place
from estate.models import LotStatus
from tests.estate.auction_factories import (  # noqa: F401
    bidder,
    make_lot,
    officer,
    open_lot,
    rival,
)


def events(chunks: list[bytes]) -> list[dict]:
    """The SSE messages in these chunks: {"id": int, "data": dict}."""
    found = []
    for block in b"".join(chunks).decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and ": " in line)
        if "data" in fields:
            found.append({"id": int(fields["id"]), "data": json.loads(fields["data"])})
    return found


@pytest.fixture
def quick_stream(monkeypatch):
    monkeypatch.setattr(live, "SYNC_POLL_SECONDS", 0.05)
    monkeypatch.setattr(live, "SYNC_STREAM_SECONDS", 0.5)
    monkeypatch.setattr(live, "_held", 0)


@pytest.mark.django_db
def test_a_wsgi_process_holds_few_streams_and_answers_the_next_watcher_503(
    client, open_lot, quick_stream
):
    url = reverse("estate-api:lot-events", args=[open_lot.reference])
    held = [client.get(url) for _ in range(live.SYNC_STREAMS_PER_PROCESS)]
    busy = client.get(url)
    assert busy.status_code == 503
    assert busy.json()["code"] == "stream_busy"
    # The server closes an answer when its client goes (here without closing the test's
    # database connection, as a finished request would).
    request_finished.disconnect(close_old_connections)
    try:
        held[0].close()
        again = client.get(url)
        assert again.status_code == 200
        for response in [*held[1:], again]:
            response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert live._held == 0


@pytest.mark.django_db
def test_the_wsgi_stream_sends_the_state_then_the_next_version_after_a_bid(
    client, open_lot, bidder, quick_stream
):
    response = client.get(reverse("estate-api:lot-events", args=[open_lot.reference]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-store"
    stream = iter(response.streaming_content)
    chunks = [next(stream), next(stream)]  # retry, then the state now
    first = events(chunks)
    assert first[0]["id"] == open_lot.version
    assert first[0]["data"]["current_price"] is None

    bid_place(lot_id=open_lot.pk, user=bidder.user, amount=Decimal("1000"), key=uuid.uuid4())
    chunks.append(next(stream))
    second = events(chunks)[-1]
    assert second["id"] == open_lot.version + 1
    assert second["data"]["current_price"] == "1000.00"
    assert second["data"]["minimum_bid"] == "1050.00"
    # Ticks only, then the end after SYNC_STREAM_SECONDS: EventSource connects again.
    assert set(stream) == {live.TICK}


@pytest.mark.django_db
def test_a_reconnecting_client_that_has_the_version_gets_no_repeat(
    client, open_lot, quick_stream, monkeypatch
):
    url = reverse("estate-api:lot-events", args=[open_lot.reference])
    response = client.get(url, headers={"last-event-id": str(open_lot.version)})
    body = b"".join(response.streaming_content)
    assert events([body]) == []
    assert live.TICK in body
    stale = client.get(url, headers={"last-event-id": str(open_lot.version - 1)})
    assert len(events(list(stale.streaming_content))) == 1


@pytest.mark.django_db
def test_a_draft_lot_has_no_stream(client, batumi, officer):
    draft = make_lot(batumi, created_by=officer, status=LotStatus.DRAFT)
    response = client.get(reverse("estate-api:lot-events", args=[draft.reference]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_the_state_endpoint_answers_304_to_its_own_etag(client, open_lot, bidder):
    try:
        url = reverse("estate-api:lot-state", args=[open_lot.reference])
    except NoReverseMatch:
        pytest.skip("the state endpoint is not routed")
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    bid_place(lot_id=open_lot.pk, user=bidder.user, amount=Decimal("1000"), key=uuid.uuid4())
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.json()["current_price"] == "1000.00"


# --- ASGI ----------------------------------------------------------------------------------


class Watcher:
    """One ASGI request to the stream, its messages as they come."""

    def __init__(self, app, path: str, headers=()):
        self.chunks: list[bytes] = []
        self.start: dict | None = None
        self.arrived = asyncio.Event()
        self._disconnect = asyncio.Event()
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": list(headers),
            "http_version": "1.1",
            "scheme": "http",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "root_path": "",
        }
        self.task = asyncio.get_running_loop().create_task(app(scope, self.receive, self.send))

    async def receive(self):
        await self._disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(self, event):
        if event["type"] == "http.response.start":
            self.start = event
        else:
            self.chunks.append(event.get("body", b""))
        self.arrived.set()

    async def wait_for(self, predicate, timeout: float = 5.0):
        async def until():
            while not predicate(self):
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(until(), timeout)

    async def close(self):
        self._disconnect.set()
        await asyncio.wait_for(self.task, 5)


@pytest.fixture
def fresh_hub(monkeypatch):
    monkeypatch.setattr(live, "_hub", None)
    yield
    hub = live._hub
    if hub is not None and hub._listener is not None:
        hub._listener.cancel()


@pytest.mark.django_db(transaction=True)
def test_the_asgi_stream_fans_one_listen_out_to_every_watcher(open_lot, bidder, rival, fresh_hub):
    from gisportal.asgi import application

    path = f"/api/v1/estate/lots/{open_lot.reference}/events"

    async def scenario():
        watchers = [Watcher(application, path) for _ in range(3)]
        for w in watchers:
            await w.wait_for(lambda w: len(events(w.chunks)) == 1)
        assert watchers[0].start["status"] == 200
        place = sync_to_async(bid_place, thread_sensitive=False)
        await place(lot_id=open_lot.pk, user=bidder.user, amount=Decimal("1000"), key=uuid.uuid4())
        await place(lot_id=open_lot.pk, user=rival.user, amount=Decimal("1050"), key=uuid.uuid4())
        for w in watchers:
            await w.wait_for(lambda w: events(w.chunks)[-1]["id"] == open_lot.version + 2)
            assert events(w.chunks)[-1]["data"]["current_price"] == "1050.00"
        assert len(live.hub().topics) == 1  # one state per lot for the process
        missing = Watcher(application, "/api/v1/estate/lots/NO-SUCH/events")
        await missing.wait_for(lambda w: w.start is not None)
        assert missing.start["status"] == 404
        for w in watchers:
            await w.close()
        assert live.hub().topics == {}
        await sync_to_async(lambda: connection.close(), thread_sensitive=True)()

    asyncio.run(scenario())
