"""Requests of one role against every address aimed at the world, and what each answer must be.

- No answer shows a private marker of the world.
- No request changes a row (GET and HEAD included).
- An address that names the world's objects answers 404, 403, 405 or a redirect (to sign-in,
  or away from what is not yours), unless it is public: anonymous gets it (the map, public
  layers, the permit register), and then the marker check above is what guards it.
- A write to an action of a public object (a bid on a lot open to every bidder, whose page
  anonymous gets) may also be refused for its own reasons (400, 409), changing nothing.
- Nothing answers 5xx.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.test import Client
from django.views.generic import RedirectView

from permits.services import REGISTER_LAYER
from tests.gisportal.isolation.changes import RowWatch
from tests.gisportal.isolation.routes import Route
from tests.gisportal.isolation.world import World

WRITES = ("POST", "PUT", "PATCH", "DELETE")
REFUSALS = frozenset({401, 403, 404, 405, 410})
# What a write to an action of a public object may answer besides the refusals.
ACTION_REFUSALS = frozenset({400, 409})


def object_address(route: Route, address: str) -> str:
    """The address of the object that an action's address names: "/en/estate/lots/X/" for
    "/en/estate/lots/X/bid" ("{lang}/estate/lots/<str:reference>/bid")."""
    pattern = ("/" + route.pattern).split("/")
    last = max(i for i, part in enumerate(pattern) if "<" in part or "(?P<" in part)
    return "/".join(address.split("/")[: last + 1]) + "/"


def body_for(route: Route, world: World) -> list[dict]:
    """Plausible bodies: every field name the portal's forms and APIs take, aimed at the
    world's objects; views that branch on `action` get one body per action."""
    base = {
        "body": "zq write",
        "text": "zq write",
        "answer": "zq write",
        "comment": "zq write",
        "details": "zq write",
        "reason": "other",
        "stance": "support",
        "parent": world.hidden_comment.pk,
        "layer": world.dataset.name,
        "feature": world.feature_fid,
        "feature_id": world.feature_fid,
        "object": "cases.case",
        "id": world.open.case.pk,
        "reference": world.open.case.reference,
        "outcome": "approved",
        "reasons": "zq write",
        "to": "in_review",
        "note": "zq write",
        "officer": world.planner.pk,
        "accept": "yes",
        "working_days": 5,
        "doc_type": "plan",
        "visibility": "public",
        "title_en": "zq write",
        "abstract_en": "zq write",
        "published": "true",
        "municipality": world.rustavi.pk,
        "parcel_codes": world.parcel.cadastral_code,
        "stage": "merged",
        "building_class": "II",
        "action": "hide",
    }
    if route.is_admin:
        rows = [row.pk for row in world.of_model(route.model)] if route.model else []
        return [
            {
                **base,
                "action": "delete_selected",
                "_selected_action": rows,
                "index": "0",
                "post": "yes",
                "_save": "Save",
            }
        ]
    if "permits/review/" in route.pattern:
        actions = ("decide", "transition", "request", "override_add", "boundary", "consult")
        return [{**base, "action": action} for action in actions]
    if "comments/<int:pk>/moderate/" in route.pattern:
        return [{**base, "action": action} for action in ("hide", "restore", "dismiss")]
    return [base]


def methods_for(route: Route, address: str, methods: tuple[str, ...]) -> list[str]:
    """The methods worth sending to an address.

    - Everything under /ka/; under /en/, which is the same view in English, GET of the
      addresses that name an object, outside the admin.
    - HEAD where the address names an object, outside the admin (whose views answer HEAD
      as GET).
    - PUT, PATCH and DELETE to a class-based view only where it has a handler for them: Django's
      and DRF's dispatch answer 405 for any other, and a RedirectView only redirects. A function
      view gets POST, the method its forms use (Django gives a PUT body to no view as form data).
    """
    view_class = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    chosen = []
    for method in methods:
        if address.startswith("/en/") and (method != "GET" or not route.kwargs or route.is_admin):
            continue
        if method == "HEAD" and (not route.kwargs or route.is_admin):
            continue
        if method in WRITES and view_class is not None and issubclass(view_class, RedirectView):
            continue
        if method in ("PUT", "PATCH", "DELETE"):
            if view_class is None or not hasattr(view_class, method.lower()):
                continue
        chosen.append(method)
    return chosen


def queries_for(route: Route, world: World) -> list[dict]:
    """Query strings for routes that name their object in the query rather than the path."""
    if route.kwargs:
        return [{}]
    aimed = [{"layer": world.dataset.name, "feature": world.feature_fid, "id": world.feature_fid}]
    if "comments/" in route.pattern:
        # A draft's thread: the register shows no drafts.
        aimed.append({"layer": REGISTER_LAYER, "feature": world.draft.pk})
    if route.pattern == "wfs":
        # WFS names its layers in the query: the capabilities list them, GetFeature reads one.
        wfs = {"SERVICE": "WFS", "VERSION": "2.0.0"}
        aimed.append({**wfs, "REQUEST": "GetCapabilities"})
        aimed.append({**wfs, "REQUEST": "GetFeature", "TYPENAMES": world.dataset.name})
    return [{}, *aimed]


def _content(response) -> str:
    if getattr(response, "streaming", False):
        # The test client closes the response when its content is read to the end.
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("utf-8", errors="replace")


@dataclass
class Probe:
    """One role's client, the world and the anonymous answers shared by every role."""

    role: str
    client: Client
    world: World
    public: dict[str, bool]
    watch: RowWatch
    # The world's own people (the controls): they may see the markers, and their GETs may
    # write (opening a notification marks it read).
    own: bool = False
    seen_markers: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    count: int = 0

    def is_public(self, address: str) -> bool:
        """Anonymous gets it: the map, public layers and features, the register."""
        if address not in self.public:
            anonymous = Client(raise_request_exception=False)
            with self.watch.request():
                response = anonymous.get(address)
                status = response.status_code
                _content(response)  # read to its end, a stream frees what it holds
            self.public[address] = 200 <= status < 300
        return self.public[address]

    def send(self, method: str, route: Route, address: str, data: dict | None = None) -> None:
        self.count += 1
        api = address.startswith("/api/")
        with self.watch.request() as changes:
            if method in ("GET", "HEAD"):
                query = f"?{urlencode(data)}" if data else ""
                response = self.client.generic(method, address + query)
            elif api:
                response = self.client.generic(
                    method, address, json.dumps(data or {}), content_type="application/json"
                )
            elif method == "POST":
                response = self.client.post(address, data or {})
            else:
                response = self.client.generic(
                    method,
                    address,
                    urlencode(data or {}, doseq=True),
                    content_type="application/x-www-form-urlencoded",
                )
            text = _content(response)
        self.judge(method, route, address, response.status_code, text, changes, data)

    def judge(self, method, route, address, status, text, changes, data) -> None:
        where = f"{self.role} {method} {address}" + (f" {sorted(data)}" if data else "")
        shown = {label for label, value in self.world.markers.items() if value in text}
        self.seen_markers |= shown
        if status >= 500:
            self.problems.append(f"{where}: answered {status}")
        if shown and not self.own:
            self.problems.append(f"{where}: shows {sorted(shown)} (status {status})")
        if changes and not (self.own and method == "GET"):
            self.problems.append(f"{where}: changed rows: {'; '.join(changes)}")
        if self.own or status in REFUSALS or 300 <= status < 400 or status >= 500:
            return
        if (
            method in WRITES
            and status in ACTION_REFUSALS
            and route.kwargs
            and not route.is_regex
            and self.is_public(object_address(route, address))
        ):
            return
        if route.kwargs and not self.is_public(address):
            self.problems.append(
                f"{where}: answered {status} for someone else's object; expected 404 or 403"
            )

    def sweep(self, pairs: list[tuple[Route, str]], methods: tuple[str, ...], until=None) -> None:
        """Send every chosen method to every address; `until(probe)` may end it early."""
        for route, address in pairs:
            if until is not None and until(self):
                return
            for method in methods_for(route, address, methods):
                if method in ("GET", "HEAD"):
                    for query in queries_for(route, self.world):
                        self.send(method, route, address, query)
                else:
                    for body in body_for(route, self.world):
                        self.send(method, route, address, body)
