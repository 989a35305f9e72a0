"""The module registry: what each app adds to the portal, declared in its own `portal.py`.

An app declares one `Module` with `register(Module(...))` in `<app>/portal.py`; the registry
finds these files at start-up, as the admin finds `admin.py`. From the declarations the
platform builds what no lower app may name: the navigation, the actions offered at a place
(the parcel card, feature cards, the parcel page), the links from a case to the module's own
pages, the notification kinds, the service catalogue and the statuses a module adds to the
common ones. Nothing below the services names a service: a new one is a line in
INSTALLED_APPS, an include() in the URL root and its own files (docs/adding-a-service.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules


class Audience:
    """Who sees a navigation link."""

    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    STAFF = "staff"


@dataclass(frozen=True)
class NavLink:
    """A link of the site's navigation."""

    label: str
    # A URL name to reverse, or a path that starts with "/".
    url_name: str
    audience: str = Audience.PUBLIC
    # Smaller first; links of every module are merged in this order.
    order: int = 100
    # The `page` key of the views it leads to, so that the header marks it as current.
    page: str = ""
    # False: in the footer only (public links are all in the footer too).
    in_header: bool = True
    # Further condition on the user (e.g. handles applications somewhere); None: everyone of
    # the audience.
    show: Callable[[Any], bool] | None = None
    # A number shown beside the label for this user (unread notifications); None or 0: none.
    badge: Callable[[Any], int | None] | None = None

    def url(self) -> str | None:
        if self.url_name.startswith("/"):
            return self.url_name
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None

    def shown_to(self, user) -> bool:
        signed_in = bool(user is not None and user.is_authenticated and user.is_active)
        if self.audience == Audience.SIGNED_IN and not signed_in:
            return False
        if self.audience == Audience.STAFF and not (signed_in and user.is_staff):
            return False
        return self.show is None or bool(self.show(user))


@dataclass(frozen=True)
class Link:
    """Something to do or open: the link's text, where it goes, and by when (if known)."""

    label: str
    url: str
    description: str = ""
    due: datetime.date | None = None
    # The main action of its kind is drawn as a button; the others as quiet buttons.
    primary: bool = False


@dataclass(frozen=True)
class Place:
    """A place on the map that someone is looking at: a point in EPSG:4326 and what is there.

    `parcel` is the current cadastral parcel there, if any (a parcels.Parcel); `feature` the
    (layer name, feature id) of the feature whose card is shown, if any.
    """

    lon: float
    lat: float
    municipality: Any = None
    parcel: Any = None
    feature: tuple[str, str] | None = None


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification a module sends, with its templates.

    The templates are `<template>_subject.txt` and `<template>_body.txt`; a kind with `sms`
    also goes by SMS (its subject and link) to a person whose phone is known. An `essential`
    kind (a decision, a request with a deadline) is sent at once even to people who take a
    daily digest.
    """

    name: str
    template: str
    label: str = ""
    sms: bool = False
    essential: bool = False


@dataclass(frozen=True)
class CaseStatus:
    """A status a module adds to the common statuses of cases, with its transitions.

    `after`: the statuses a case may come from; `before`: those it may go to. A status with
    `own_action` is reached only through the module's own service (which does what it needs,
    such as writing to neighbours), never through the plain status change. While a case is in
    an `open` status the clock runs and staff work on it.
    """

    value: str
    label: str
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    open: bool = True
    own_action: bool = False
    tell_applicant: bool = True


# What a case's decision shows when its module says nothing more (Module.decision_content).
NO_DECISION_CONTENT: dict[str, Any] = {"place": "", "facts": [], "plan_svg": "", "plan_legend": []}

PlaceActions = Callable[[Place, Any], Iterable[Link]]
PlacePanels = Callable[[Place, Any, bool], Iterable[str]]
CaseLinks = Callable[[Any, Any], Iterable[Link]]


@dataclass(frozen=True)
class Module:
    """What one app adds to the portal. Only `app` and `title` are required.

    `code` is the module's name in the service catalogue (`cases.Service.module`) and `role`
    the staff role that handles its services; apps that offer no service leave both empty.
    `catalogue` holds the module's services for the catalogue: a JSON file relative to the
    app's folder, or the rows themselves (see cases/catalogue.py for their shape); they are
    loaded after every migrate.
    """

    app: str
    title: str
    code: str | None = None
    role: str | None = None
    nav: tuple[NavLink, ...] = ()
    place_actions: PlaceActions | None = None
    # Sections of HTML a module adds to the card (compact=True) and the page of a place,
    # such as a feature's comment thread: called with (place, request, compact).
    place_panels: PlacePanels | None = None
    applicant_links: CaseLinks | None = None
    staff_links: CaseLinks | None = None
    notifications: tuple[NotificationKind, ...] = ()
    catalogue: str | tuple[dict[str, Any], ...] | None = None
    statuses: tuple[CaseStatus, ...] = field(default=())
    # What the module says about one of its cases in the decision document and the e-mails, in
    # the active language: {"place": a line naming the place, "facts": [(label, value), ...],
    # "plan_svg": an SVG drawing of the site or "", "plan_legend": [(label, fill, line), ...]}.
    decision_content: Callable[[Any], dict[str, Any]] | None = None
    # Called with (decision, by) in the transaction that records a decision on one of the
    # module's cases, whichever page took it: what the module does when its case is decided.
    on_decided: Callable[[Any, Any], None] | None = None
    # The label of a case's variant as people read it ("Class II (low risk)" for "II").
    variant_label: Callable[[str], str] | None = None


class ModuleRegistry:
    def __init__(self) -> None:
        self._modules: dict[str, Module] = {}

    def register(self, module: Module) -> Module:
        known = self._modules.get(module.app)
        if known is not None and known != module:
            raise ValueError(f"Module {module.app!r} is registered twice.")
        if module.code and any(
            m.code == module.code and m.app != module.app for m in self._modules.values()
        ):
            raise ValueError(f"Two modules declare the catalogue code {module.code!r}.")
        self._modules[module.app] = module
        return module

    def unregister(self, app: str) -> None:
        self._modules.pop(app, None)

    def all(self) -> list[Module]:
        return list(self._modules.values())

    def get(self, app: str) -> Module | None:
        return self._modules.get(app)

    def by_code(self, code: str) -> Module | None:
        """The module whose services carry this code in the catalogue."""
        return next((m for m in self._modules.values() if m.code == code), None)

    def services(self) -> list[Module]:
        """The modules that offer services (have a catalogue code)."""
        return [m for m in self._modules.values() if m.code]

    def role_for(self, code: str) -> str | None:
        module = self.by_code(code)
        return module.role if module else None

    def codes_for_roles(self, roles: Iterable[str]) -> list[str]:
        """The catalogue codes of the modules that these staff roles handle."""
        roles = set(roles)
        return sorted(m.code for m in self.services() if m.role in roles)

    def handling_roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.services() if m.role)

    def nav(self, user, audience: str) -> list[tuple[NavLink, str]]:
        """The links of one audience that this user sees, with their addresses, in order."""
        found = []
        for module in self._modules.values():
            for link in module.nav:
                if link.audience != audience or not link.shown_to(user):
                    continue
                url = link.url()
                if url is not None:
                    found.append((link, url))
        found.sort(key=lambda pair: pair[0].order)
        return found

    def place_actions(self, place: Place, user) -> list[Link]:
        """What every module offers at this place, primary actions first."""
        found: list[Link] = []
        for module in self._modules.values():
            if module.place_actions is not None:
                found.extend(module.place_actions(place, user))
        return sorted(found, key=lambda link: not link.primary)

    def place_panels(self, place: Place, request, *, compact: bool) -> list[str]:
        """The HTML sections every module adds to the card or page of this place."""
        found: list[str] = []
        for module in self._modules.values():
            if module.place_panels is not None:
                found.extend(module.place_panels(place, request, compact))
        return found

    def case_links(self, case, user, *, staff: bool) -> list[Link]:
        """The links of the case's module for its applicant, or for the staff handling it."""
        module = self.by_code(case.service.module)
        if module is None:
            return []
        function = module.staff_links if staff else module.applicant_links
        return list(function(case, user)) if function is not None else []

    def decision_content(self, case) -> dict[str, Any]:
        """What the case's module says about the case for its decision (empty: nothing)."""
        module = self.by_code(case.service.module)
        if module is None or module.decision_content is None:
            return dict(NO_DECISION_CONTENT)
        return {**NO_DECISION_CONTENT, **module.decision_content(case)}

    def decided(self, decision, by) -> None:
        """Let the case's module act on its decision (Module.on_decided)."""
        module = self.by_code(decision.case.service.module)
        if module is not None and module.on_decided is not None:
            module.on_decided(decision, by)

    def variant_label(self, case) -> str:
        """The case's variant by its label, as its module names it (else as it is)."""
        module = self.by_code(case.service.module)
        if not case.variant or module is None or module.variant_label is None:
            return case.variant
        return str(module.variant_label(case.variant))

    def notification_kinds(self) -> dict[str, NotificationKind]:
        kinds: dict[str, NotificationKind] = {}
        for module in self._modules.values():
            for kind in module.notifications:
                if kind.name in kinds and kinds[kind.name] != kind:
                    raise ValueError(f"Notification kind {kind.name!r} is declared twice.")
                kinds[kind.name] = kind
        return kinds

    def statuses(self, code: str | None = None) -> list[CaseStatus]:
        """The statuses modules add: of the module with this catalogue code, or of all."""
        if code is not None:
            module = self.by_code(code)
            return list(module.statuses) if module else []
        return [status for m in self._modules.values() for status in m.statuses]

    def autodiscover(self) -> None:
        autodiscover_modules("portal")


registry = ModuleRegistry()
register = registry.register
