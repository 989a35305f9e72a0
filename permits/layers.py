"""Layers that permits publishes: the constraint areas (one layer, styled by kind) and monuments.

Zones with their coefficients are the cadastre's `zones` layer (parcels/layers.py).
"""

from django.db.models import F
from django.urls import reverse

from layers.registry import Layer, register
from permits.models import KIND_NAMES, Constraint, ConstraintKind, Monument, PermitApplication

KIND_COLOURS = {
    ConstraintKind.HERITAGE_ZONE: "#8e44ad",
    ConstraintKind.RED_LINE: "#d62828",
    ConstraintKind.PROTECTED_AREA: "#2d6a4f",
    ConstraintKind.FLOOD_AREA: "#1f78b4",
}
_COLOUR_BY_KIND = ["match", ["get", "kind"]]
for _kind, _colour in KIND_COLOURS.items():
    _COLOUR_BY_KIND += [_kind.value, _colour]
_COLOUR_BY_KIND.append("#666666")

register(
    Layer(
        name="constraints",
        title_ka="სამშენებლო შეზღუდვები",
        title_en="Building constraints",
        description_ka=(
            "კულტურული მემკვიდრეობის დაცვის ზონები, წითელი ხაზები, დაცული ტერიტორიები და "
            "დატბორვის ზონები (სადემონსტრაციო მონაცემები)."
        ),
        description_en=(
            "Heritage protection zones, red lines, protected areas and flood areas (demo data)."
        ),
        queryset=lambda: Constraint.objects.all(),
        properties=("kind", "name_ka", "name_en", "consultee_ka", "consultee_en", "valid_from"),
        min_zoom=11,
        simplify_pixels=0.5,
        order=45,
        keywords=("constraints", "heritage", "red lines", "flood"),
        legend=tuple(
            {
                "label": KIND_NAMES[kind][1],
                "label_ka": KIND_NAMES[kind][0],
                "kind": "fill",
                "color": colour,
            }
            for kind, colour in KIND_COLOURS.items()
        ),
        style=(
            {
                "type": "fill",
                "paint": {
                    "fill-color": _COLOUR_BY_KIND,
                    "fill-opacity": [
                        "match",
                        ["get", "kind"],
                        ConstraintKind.RED_LINE.value,
                        0.35,
                        0.12,
                    ],
                },
                "layout": {"visibility": "none"},
            },
            {
                "type": "line",
                "paint": {
                    "line-color": _COLOUR_BY_KIND,
                    "line-width": [
                        "match",
                        ["get", "kind"],
                        ConstraintKind.RED_LINE.value,
                        2,
                        1,
                    ],
                    "line-dasharray": [3, 2],
                },
                "layout": {"visibility": "none"},
            },
        ),
    )
)

register(
    Layer(
        name="monuments",
        title_ka="კულტურული მემკვიდრეობის ძეგლები",
        title_en="Cultural heritage monuments",
        description_ka="ძეგლები სიმაღლით; დაცვის ზონა = 2 × სიმაღლე, მინიმუმ 50 მ.",
        description_en="Monuments with their height; protection zone = 2 × height, at least 50 m.",
        queryset=lambda: Monument.objects.all(),
        geometry_type="Point",
        properties=("name_ka", "name_en", "height_m"),
        min_zoom=11,
        order=70,
        keywords=("heritage", "monuments"),
        style=(
            {
                "type": "circle",
                "paint": {
                    "circle-color": KIND_COLOURS[ConstraintKind.HERITAGE_ZONE],
                    "circle-radius": ["interpolate", ["linear"], ["zoom"], 12, 3, 17, 7],
                    "circle-stroke-color": "#ffffff",
                    "circle-stroke-width": 1.5,
                },
                "layout": {"visibility": "none"},
            },
        ),
    )
)


# Statuses a permit application shows on the public register: submitted and decided; drafts,
# withdrawn and returned applications never.
REGISTER_STATUSES = (
    "submitted",
    "in_review",
    "awaiting_applicant",
    "consultation",
    "awaiting_decision",
    "decided_approved",
    "decided_refused",
)


def register_entry_page(properties: dict) -> str | None:
    """A register feature's public page, where neighbours comment while consultation is open."""
    reference = properties.get("reference")
    if not reference:
        return None
    return reverse("permits:register-entry", kwargs={"reference": reference})


def register_comments_open(properties: dict) -> str | None:
    """Comments on a register feature are taken while its neighbour consultation is open; the
    answer says when it closed, or that it is not open (None: open)."""
    from django.utils.translation import gettext as _

    from permits.consultation import comments_open, consultation_closed_on

    application = (
        PermitApplication.objects.select_related("case")
        .filter(case__reference=properties.get("reference"))
        .only("id", "case__status")
        .first()
    )
    if application is not None and comments_open(application):
        return None
    closed_on = consultation_closed_on(application) if application is not None else None
    if closed_on is not None:
        return _(
            "The consultation closed on %(date)s; comments are no longer taken. "
            "Write to the municipality if you need to."
        ) % {"date": closed_on.strftime("%d.%m.%Y")}
    return _("Comments are taken only while the consultation is open.")


def register_queryset():
    """Applications on the public register: the site and what the public may know, no person."""
    return (
        PermitApplication.objects.filter(case__status__in=REGISTER_STATUSES, site__isnull=False)
        .annotate(
            reference=F("case__reference"),
            status=F("case__status"),
            outcome=F("case__decision__outcome"),
            submitted=F("case__submitted_at"),
        )
        .only("id", "site", "stage", "building_class", "public_description")
    )


register(
    Layer(
        name="permit-applications",
        title_ka="სამშენებლო ნებართვების რეესტრი",
        title_en="Register of building permit applications",
        description_ka="წარდგენილი და გადაწყვეტილი განაცხადები; პერსონალური მონაცემების გარეშე.",
        description_en="Submitted and decided applications; no personal data.",
        queryset=register_queryset,
        geometry_field="site",
        properties=(
            "reference",
            "stage",
            "building_class",
            "status",
            "outcome",
            "submitted",
            "public_description",
        ),
        field_types=(
            ("reference", "string"),
            ("status", "string"),
            ("outcome", "string"),
            ("submitted", "date-time"),
        ),
        extra_tables=("cases_case", "cases_decision"),
        page_url=register_entry_page,
        page_label_ka="განაცხადი და კომენტარები",
        page_label_en="The application and comments",
        # Neighbours comment while the consultation is open (engagement/), on the register page.
        comments=True,
        comments_open=register_comments_open,
        min_zoom=11,
        order=80,
        keywords=("permits", "register", "applications"),
        style=(
            {
                "type": "fill",
                "paint": {"fill-color": "#e76f51", "fill-opacity": 0.25},
                "layout": {"visibility": "none"},
            },
            {
                "type": "line",
                "paint": {"line-color": "#e76f51", "line-width": 1.5},
                "layout": {"visibility": "none"},
            },
        ),
    )
)
