"""The live lot page's stream: Server-Sent Events of a lot's public state (`auctions.lot_state`)
at /api/v1/estate/lots/<reference>/events (docs/adr/0005-live-lot-page.md).

Each message is `id: <version>` and `data: <the state as JSON>`; a comment line keeps a quiet
connection open. A client that reconnects with Last-Event-ID gets the current state at once
when its version differs, and nothing until the next change when it does not.

Two ways to serve the same URL:

- Under ASGI (gisportal/asgi.py, uvicorn) the stream is `asgi_events`, served before Django
  like the tile fast path is under WSGI: ONE psycopg connection per process LISTENs on
  `auctions.LIVE_CHANNEL` (`Hub`), a lot's state is read once per new version for the whole
  process (at most READS_PER_SECOND times a second; notifications that come in the meantime
  make one read), and every waiting watcher of that lot gets the latest message. A watcher
  holds a coroutine, not a thread.
- Under WSGI (gunicorn, runserver, the tests' live server) `lot_events`, a Django view, streams
  from a generator that reads the lot's version every SYNC_POLL_SECONDS for SYNC_STREAM_SECONDS
  and then ends; EventSource reconnects by itself after `retry`. Each such watcher holds a
  worker thread, which is why production sends this path to uvicorn.

The stream reads lots in the public scope: lots are public rows (core/db/rls.py), and a draft
is never streamed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, close_old_connections, connection
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.db.base import ALL_MUNICIPALITIES
from core.errors import api_error
from core.tenancy import set_scope
from estate.models import PUBLIC_LOT_STATUSES, Lot, LotStatus

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/event-stream; charset=utf-8"
# The delay EventSource waits before it reconnects after a stream ends.
RETRY_MS = 1000
# A comment line on a quiet stream, so that proxies and clients keep the connection.
HEARTBEAT_SECONDS = 15.0
# WSGI: how often the generator reads the lot's version, how long one stream lasts, and how
# many streams one process holds at once (each holds a thread: gunicorn's 4 threads a worker
# keep 2 for everything else). A watcher past that is answered 503 and polls the state
# endpoint instead (lot.js).
SYNC_POLL_SECONDS = 0.5
SYNC_STREAM_SECONDS = 30.0
SYNC_STREAMS_PER_PROCESS = 2
# ASGI: a lot's state is read at most this often per process, and a watcher is sent at most
# this many messages a second (the latest state; the ones between are skipped).
READS_PER_SECOND = 4
MESSAGES_PER_SECOND = 4
# After the LISTEN connection fails, wait this long before connecting again.
RECONNECT_SECONDS = 1.0

EVENTS_PATH = re.compile(r"^/api/v1/estate/lots/(?P<reference>[^/]{1,30})/events$")


def encode_state(state: dict) -> bytes:
    return json.dumps(state, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def message(version: int, state_json: str) -> bytes:
    """One SSE message: the version as its id, the state as its data (JSON has no newline)."""
    return f"id: {version}\ndata: {state_json}\n\n".encode()


def retry_line() -> bytes:
    return f"retry: {RETRY_MS}\n\n".encode()


HEARTBEAT = b": keep-alive\n\n"


def last_event_id(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def public_lots():
    return Lot.objects.filter(status__in=PUBLIC_LOT_STATUSES)


def read_state(lot_id: int) -> tuple[int, str] | None:
    """The lot's version and public state as JSON, read in the public scope; None when the
    lot is no longer public."""
    from estate.auctions import lot_state

    set_scope(ALL_MUNICIPALITIES)
    lot = public_lots().filter(pk=lot_id).first()
    if lot is None:
        return None
    state = lot_state(lot)
    return int(state.get("version", lot.version)), encode_state(state)


def read_version(lot_id: int) -> int | None:
    return public_lots().filter(pk=lot_id).values_list("version", flat=True).first()


# --- WSGI --------------------------------------------------------------------------------------


# A short comment after each quiet poll: writing it is how a WSGI server learns that the
# client has gone, so that a stream left by a closed page frees its thread within a second.
TICK = b":\n\n"


def sync_stream(lot_id: int, last_seen: int | None, *, seconds: float) -> Iterator[bytes]:
    """The messages of one WSGI stream: the state now unless the client has it, then each
    new version as the poll finds it, a tick in between, for `seconds`."""
    yield retry_line()
    deadline = time.monotonic() + seconds
    while True:
        version = read_version(lot_id)
        if version is None:
            return
        if version != last_seen:
            found = read_state(lot_id)
            if found is None:
                return
            last_seen, state_json = found
            yield message(last_seen, state_json)
        else:
            yield TICK
        if time.monotonic() >= deadline:
            return
        time.sleep(SYNC_POLL_SECONDS)


_held = 0
_held_lock = threading.Lock()


def _take_slot() -> bool:
    global _held
    with _held_lock:
        if _held >= SYNC_STREAMS_PER_PROCESS:
            return False
        _held += 1
        return True


def _give_slot() -> None:
    global _held
    with _held_lock:
        _held -= 1


class _HeldStream:
    """A stream that gives its slot back when the server closes the answer, whether or not
    it was ever read."""

    def __init__(self, inner: Iterator[bytes]):
        self.inner = inner
        self.held = True

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        return next(self.inner)

    def close(self) -> None:
        if self.held:
            self.held = False
            _give_slot()
        self.inner.close()


def stream_headers(response) -> None:
    response["Cache-Control"] = "no-store"
    # nginx and other proxies: pass each message on at once.
    response["X-Accel-Buffering"] = "no"


@require_GET
def lot_events(request, reference: str):
    """The lot's states as Server-Sent Events (WSGI: one stream of SYNC_STREAM_SECONDS)."""
    set_scope(ALL_MUNICIPALITIES)
    lot = get_object_or_404(public_lots().only("pk", "status"), reference=reference)
    last_seen = last_event_id(request.headers.get("Last-Event-ID"))
    # A closed lot changes no more: its state once, and the stream ends.
    seconds = (
        getattr(settings, "ESTATE_LIVE_STREAM_SECONDS", SYNC_STREAM_SECONDS)
        if lot.status == LotStatus.PUBLISHED
        else 0
    )
    if not _take_slot():
        response = api_error(
            503, _("The live stream is busy here; follow the state endpoint."), "stream_busy"
        )
        response["Retry-After"] = str(int(SYNC_STREAM_SECONDS))
        return response
    stream = _HeldStream(sync_stream(lot.pk, last_seen, seconds=seconds))
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPE)
    stream_headers(response)
    return response


# --- ASGI --------------------------------------------------------------------------------------


async def _in_thread(fn, *args):
    """Run a database read in the one thread that holds this process's Django connection."""
    from asgiref.sync import sync_to_async

    def guarded():
        close_old_connections()
        try:
            return fn(*args)
        except DatabaseError:
            connection.close()
            raise

    return await sync_to_async(guarded, thread_sensitive=True)()


def _lot_id(reference: str) -> int | None:
    set_scope(ALL_MUNICIPALITIES)
    return public_lots().filter(reference=reference).values_list("pk", flat=True).first()


class Topic:
    """One lot's latest state in this process, and the watchers waiting for the next."""

    def __init__(self, hub: Hub, lot_id: int):
        self.hub = hub
        self.lot_id = lot_id
        self.version: int | None = None
        self.data: bytes = b""
        self.gone = False
        self.wanted = 0  # the highest version announced
        self.watchers = 0
        self._changed = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self._read_at = 0.0

    async def ready(self) -> None:
        if self.version is None and not self.gone:
            await self.refresh_now()

    def announce(self, version: int) -> None:
        """A notification: read the state unless this version is already known or due."""
        if self.version is not None and version <= self.version:
            return
        self.wanted = max(self.wanted, version)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read_loop())

    async def _read_loop(self) -> None:
        while not self.gone and (self.version is None or self.wanted > self.version):
            wait = self._read_at + 1 / READS_PER_SECOND - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await self.refresh_now()

    async def refresh_now(self) -> None:
        self._read_at = time.monotonic()
        try:
            found = await _in_thread(read_state, self.lot_id)
        except DatabaseError:
            logger.exception("reading the state of lot %s", self.lot_id)
            await asyncio.sleep(RECONNECT_SECONDS)
            return
        if found is None:
            self.gone = True
        else:
            version, state_json = found
            if self.version is not None and version < self.version:
                return
            self.version = version
            self.wanted = max(self.wanted, version)
            self.data = message(version, state_json)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def changed(self, timeout: float) -> asyncio.Future:
        """A future of the next change: True when the state changes, False after `timeout`.
        The change waited for is the next one from now, whenever the future starts to run."""
        event = self._changed

        async def wait() -> bool:
            try:
                await asyncio.wait_for(event.wait(), timeout)
            except TimeoutError:
                return False
            return True

        return asyncio.ensure_future(wait())


class Hub:
    """This process's LISTEN connection and its topics, one per watched lot."""

    def __init__(self):
        self.topics: dict[int, Topic] = {}
        self.references: dict[str, int] = {}
        self._listener: asyncio.Task | None = None
        self._listening = asyncio.Event()

    async def topic(self, reference: str) -> Topic | None:
        self._start()
        lot_id = self.references.get(reference)
        if lot_id is None:
            lot_id = await _in_thread(_lot_id, reference)
            if lot_id is None:
                return None
            self.references[reference] = lot_id
        topic = self.topics.get(lot_id)
        if topic is None or topic.gone:
            topic = self.topics[lot_id] = Topic(self, lot_id)
        # Wait (briefly) for LISTEN before the first read, so that no change falls between.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), 5)
        await topic.ready()
        if topic.gone:
            self.references.pop(reference, None)
            return None
        return topic

    def _start(self) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        import psycopg

        from estate.auctions import LIVE_CHANNEL

        params = await _in_thread(lambda: connection.get_connection_params())
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
                    await conn.execute(f'LISTEN "{LIVE_CHANNEL}"')
                    self._listening.set()
                    # Changes while the connection was down: read every topic again.
                    for topic in list(self.topics.values()):
                        topic.announce((topic.version or 0) + 1)
                    async for notify in conn.notifies():
                        self._dispatch(notify.payload)
            except (psycopg.Error, OSError):
                logger.exception("the live stream's LISTEN connection failed")
            self._listening.clear()
            await asyncio.sleep(RECONNECT_SECONDS)

    def _dispatch(self, payload: str) -> None:
        lot, _, version = payload.partition(":")
        try:
            lot_id, number = int(lot), int(version)
        except ValueError:
            return
        topic = self.topics.get(lot_id)
        if topic is not None:
            topic.announce(number)

    def forget(self, topic: Topic) -> None:
        if topic.watchers <= 0 and self.topics.get(topic.lot_id) is topic:
            del self.topics[topic.lot_id]


_hub: Hub | None = None


def hub() -> Hub:
    global _hub
    if _hub is None:
        _hub = Hub()
    return _hub


def _headers(content_type: bytes, extra: list | None = None) -> list:
    return [
        (b"content-type", content_type),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        *(extra or []),
    ]


async def _not_found(send) -> None:
    body = json.dumps({"detail": "Not found.", "code": "not_found"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": _headers(
                b"application/json", [(b"content-length", str(len(body)).encode())]
            ),
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _until_disconnect(receive) -> None:
    while True:
        event = await receive()
        if event["type"] == "http.disconnect":
            return


async def asgi_events(scope, receive, send, reference: str) -> None:
    """The stream under ASGI: the state now unless the client has it, then the latest state
    after each change (at most MESSAGES_PER_SECOND), until the client goes."""
    if scope["method"] not in ("GET", "HEAD"):
        await send(
            {
                "type": "http.response.start",
                "status": 405,
                "headers": _headers(b"text/plain", [(b"allow", b"GET, HEAD")]),
            }
        )
        await send({"type": "http.response.body", "body": b""})
        return
    topic = await hub().topic(reference)
    if topic is None:
        await _not_found(send)
        return
    headers = dict(scope.get("headers") or [])
    last_seen = last_event_id(headers.get(b"last-event-id", b"").decode("latin-1"))
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": _headers(CONTENT_TYPE.encode(), [(b"x-accel-buffering", b"no")]),
        }
    )
    if scope["method"] == "HEAD":
        await send({"type": "http.response.body", "body": b""})
        return
    topic.watchers += 1
    gone = asyncio.get_running_loop().create_task(_until_disconnect(receive))
    try:
        first = retry_line()
        if topic.version != last_seen:
            first += topic.data
            last_seen = topic.version
        await send({"type": "http.response.body", "body": first, "more_body": True})
        sent_at = time.monotonic()
        while not gone.done() and not topic.gone:
            if topic.version == last_seen:
                changed = topic.changed(HEARTBEAT_SECONDS)
                await asyncio.wait({changed, gone}, return_when=asyncio.FIRST_COMPLETED)
                if gone.done():
                    changed.cancel()
                    break
                if not changed.result():
                    await send({"type": "http.response.body", "body": HEARTBEAT, "more_body": True})
                    continue
            wait = sent_at + 1 / MESSAGES_PER_SECOND - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if topic.version != last_seen:
                last_seen = topic.version
                await send({"type": "http.response.body", "body": topic.data, "more_body": True})
                sent_at = time.monotonic()
        with contextlib.suppress(OSError):
            await send({"type": "http.response.body", "body": b""})
    except OSError:
        pass  # the client went away while a message was being sent
    finally:
        gone.cancel()
        topic.watchers -= 1
        hub().forget(topic)


def lot_reference(path: str) -> str | None:
    found = EVENTS_PATH.match(path)
    return found["reference"] if found else None
