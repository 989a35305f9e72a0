"""Every URL pattern of the project, and the concrete addresses that point it at the world.

The patterns come from Django's resolver, so a route added anywhere (an app's urls.py, a DRF
view, the admin of a new model, allauth) is walked without being listed. Its keyword arguments
are filled from `FILLERS`, keyed by the argument's name and a part of the pattern that gives
the name its meaning; a route that no filler fits is reported, so it cannot slip by.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern
from django.utils.http import int_to_base36
from pyproj import Transformer

from cases.models import Case
from layers.tiles import lonlat_to_tile
from tests.gisportal.isolation.world import World

LANGUAGES = ("ka", "en")
LANGUAGE_SLOT = "{lang}/"
TILE_ZOOM = 14
TO_LONLAT = Transformer.from_crs(32638, 4326, always_xy=True)

_ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern, written out from the root ("{lang}/cases/<str:reference>/")."""

    pattern: str
    callback: Callable
    name: str | None

    @property
    def is_regex(self) -> bool:
        return "(?P<" in self.pattern or self.pattern.startswith("^")

    @property
    def kwargs(self) -> tuple[str, ...]:
        found = _GROUP if self.is_regex else _ARGUMENT
        return tuple(m.group("name") for m in found.finditer(self.pattern))

    @property
    def model(self) -> type[models.Model] | None:
        """The model of an admin page (ModelAdmin's views carry their admin)."""
        model_admin = getattr(self.callback, "model_admin", None)
        return model_admin.model if model_admin is not None else None

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith(f"{LANGUAGE_SLOT}admin/")

    @property
    def is_localized(self) -> bool:
        return self.pattern.startswith(LANGUAGE_SLOT)

    def __str__(self) -> str:
        return "/" + self.pattern

    def build(self, values: dict[str, object], language: str) -> str:
        path = self.pattern.replace(LANGUAGE_SLOT, f"{language}/", 1)
        if self.is_regex:
            # `accounts/^password/reset/key/(?P<uidb36>…)-(?P<key>.+)/$`: the value goes where
            # its group is; anchors inside the joined pattern are dropped.
            path = re.sub(
                r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", lambda m: str(values[m.group(1)]), path
            )
            path = path.replace("^", "").replace("$", "")
        else:
            path = _ARGUMENT.sub(lambda m: str(values[m.group("name")]), path)
        return "/" + path


def walk(resolver: URLResolver | None = None, prefix: str = "") -> list[Route]:
    """Every pattern under the resolver, with the language prefix kept as a slot."""
    resolver = resolver or get_resolver()
    found: list[Route] = []
    for entry in resolver.url_patterns:
        if isinstance(entry.pattern, LocalePrefixPattern):
            part = LANGUAGE_SLOT
        elif isinstance(entry.pattern, RegexPattern):
            part = entry.pattern._regex
        else:
            part = str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(walk(entry, prefix + part))
        elif isinstance(entry, URLPattern):
            found.append(Route(prefix + part, entry.callback, entry.name))
    return found


# ---------------------------------------------------------------------------------------------
# Filling keyword arguments from the world

Values = Callable[[World, Route], list]


@dataclass(frozen=True)
class Filler:
    argument: str
    # A part of the pattern that gives the argument its meaning ("" for any pattern); where
    # several fit, the longest part wins.
    where: str
    values: Values


def _tile(world: World) -> dict[str, int]:
    point = world.version.features.get().geom
    x, y = lonlat_to_tile(*TO_LONLAT.transform(point.x, point.y), TILE_ZOOM)
    return {"z": TILE_ZOOM, "x": x, "y": y}


def _references(world: World, route: Route) -> list[str]:
    return [a.case.reference for a in (world.draft, world.open, world.decided)]


def _admin_objects(world: World, route: Route) -> list:
    if route.model is None:
        return []
    # The admin writes keys into its addresses quoted ("cases.CaseEvent:1" has a colon).
    return [quote(row.pk) for row in world.of_model(route.model)]


def _estate(key: str) -> Values:
    def values(world: World, route: Route) -> list:
        found = world.estate[key]
        return [row.reference for row in (found if isinstance(found, list) else [found])]

    return values


def _lots(world: World, route: Route) -> list[str]:
    return [world.estate[key].reference for key in ("draft_lot", "open_lot", "awarded_lot")]


def _budgeting(*keys: str, field: str = "pk") -> Values:
    def values(world: World, route: Route) -> list:
        return [getattr(world.budgeting[key], field) for key in keys]

    return values


_PROPOSALS = _budgeting("own", "feasible", "winner", field="reference")

FILLERS: list[Filler] = [
    Filler("reference", "", _references),
    Filler("pk", "cases/<str:reference>/documents/", lambda w, r: [w.document.pk]),
    Filler("pk", "cases/<str:reference>/requests/", lambda w, r: [w.information_request.pk]),
    Filler("pk", "comments/", lambda w, r: [w.hidden_comment.pk, w.visible_comment.pk]),
    # Anyone signed in may report a visible comment: only the hidden one is someone else's.
    Filler("pk", "comments/<int:pk>/report/", lambda w, r: [w.hidden_comment.pk]),
    Filler("pk", "notifications/", lambda w, r: [w.notification.pk]),
    Filler("pk", "follows/", lambda w, r: [w.follow.pk]),
    Filler("pk", "permits/boundary/", lambda w, r: [w.boundary_change.pk]),
    Filler("reference", "estate/assets/", _estate("assets")),
    Filler("reference", "estate/lots/", _lots),
    Filler("reference", "estate/contracts/", _estate("contract")),
    Filler("reference", "estate/staff/assets/", _estate("assets")),
    Filler("reference", "estate/staff/lots/", _lots),
    Filler("reference", "estate/staff/contracts/", _estate("contract")),
    Filler("reference", "estate/pay/demo/", lambda w, r: [w.estate["deposit"].provider_reference]),
    Filler(
        "code", "estate/contracts/verify/", lambda w, r: [w.estate["contract"].verification_code]
    ),
    Filler("municipality", "budgeting/", lambda w, r: [w.rustavi.code]),
    Filler("cycle", "budgeting/", _budgeting("cycle", field="slug")),
    Filler("budget", "budgeting/", _budgeting("budget", "citywide")),
    Filler("pk", "budgeting/staff/cycles/", _budgeting("cycle")),
    Filler("pk", "budgeting/staff/budgets/", _budgeting("budget")),
    Filler("pk", "budgeting/staff/runs/", _budgeting("run")),
    Filler("pk", "budgeting/proposals/", _budgeting("photo")),
    Filler("pk", "budgeting/cycles/", _budgeting("cycle")),
    Filler("pk", "budgeting/budgets/", _budgeting("budget")),
    Filler("entry", "budgeting/", _budgeting("paper")),
    Filler("reference", "budgeting/", _PROPOSALS),
    Filler("code", "cases/verify/", lambda w, r: [w.decided.case.decision.verification_code]),
    Filler("code", "parcels/", lambda w, r: [w.parcel.cadastral_code]),
    Filler("cadastral_code", "", lambda w, r: [w.parcel.cadastral_code]),
    Filler("name", "", lambda w, r: [w.dataset.name]),
    Filler("number", "", lambda w, r: [w.version.number]),
    Filler("layer", "", lambda w, r: [w.dataset.name]),
    Filler("collection_id", "", lambda w, r: [w.dataset.name]),
    Filler("feature_id", "", lambda w, r: [w.feature_fid]),
    Filler("tms_id", "", lambda w, r: ["WebMercatorQuad"]),
    Filler("z", "", lambda w, r: [_tile(w)["z"]]),
    Filler("x", "", lambda w, r: [_tile(w)["x"]]),
    Filler("y", "", lambda w, r: [_tile(w)["y"]]),
    Filler("fmt", "", lambda w, r: ["geojson", "csv"]),
    Filler("job_id", "", lambda w, r: [w.export_job.pk]),
    Filler("upload_id", "", lambda w, r: [w.upload.pk]),
    Filler("step", "permits/apply/", lambda w, r: [1, 2, 3, 4, 5]),
    Filler("object_id", "admin/", _admin_objects),
    Filler(
        "content_type_id", "admin/r/", lambda w, r: [ContentType.objects.get_for_model(Case).pk]
    ),
    Filler("object_id", "admin/r/", lambda w, r: [w.open.case.pk]),
    Filler("id", "admin/auth/user/", lambda w, r: [w.owner.pk]),
    Filler("app_label", "admin/", lambda w, r: ["cases"]),
    Filler("url", "admin/", lambda w, r: ["cases/zq-missing/"]),
    # Tokens of e-mail confirmation and password reset: B's account with a key never issued.
    Filler("key", "accounts/", lambda w, r: ["zq-key-never-issued"]),
    Filler("uidb36", "accounts/", lambda w, r: [int_to_base36(w.owner.pk)]),
]

# Admin models whose rows belong to no municipality and no citizen: their pages are the
# superuser's; there is no "someone else's" row to aim at.
UNTENANTED_ADMIN_MODELS = {"auth.group", "sites.site"}


class Unfillable(Exception):
    pass


def filler_for(argument: str, route: Route) -> Filler | None:
    fitting = [f for f in FILLERS if f.argument == argument and f.where in route.pattern]
    return max(fitting, key=lambda f: len(f.where), default=None)


def addresses(route: Route, world: World) -> list[str]:
    """The concrete addresses of a route aimed at the world, in every language it has.

    Raises Unfillable, with what to add, when an argument has no filler or an admin model has
    no row in the world.
    """
    choices: dict[str, list] = {}
    for argument in route.kwargs:
        filler = filler_for(argument, route)
        if filler is None:
            raise Unfillable(
                f"{route}: no filler for <{argument}>. Add a Filler({argument!r}, "
                f"'<part of the pattern>', lambda world, route: [...]) to FILLERS in "
                f"tests/gisportal/isolation/routes.py, with values from the world "
                f"(tests/gisportal/isolation/world.py)."
            )
        values = filler.values(world, route)
        if not values:
            label = route.model._meta.label_lower if route.model else "?"
            if label in UNTENANTED_ADMIN_MODELS:
                return []
            raise Unfillable(
                f"{route}: the world holds no {label} for <{argument}>. Make one in "
                f"build_world() (tests/gisportal/isolation/world.py) and add it to its rows, or, "
                f"if its rows belong to no municipality and no citizen, name it in "
                f"UNTENANTED_ADMIN_MODELS."
            )
        choices[argument] = values
    languages = LANGUAGES if route.is_localized else ("",)
    found = []
    for language in languages:
        for combination in itertools.product(*choices.values()):
            found.append(route.build(dict(zip(choices, combination, strict=True)), language))
    return found


def aimed(routes: Iterable[Route], world: World) -> tuple[list[tuple[Route, str]], list[str]]:
    """(route, address) pairs for every route, and the messages of the routes left unfilled."""
    pairs, unfilled = [], []
    for route in routes:
        try:
            pairs.extend((route, address) for address in addresses(route, world))
        except Unfillable as error:
            unfilled.append(str(error))
    return pairs, unfilled
