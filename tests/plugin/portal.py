"""The trial module's declaration: a link, an action at parcels, a case link and a service."""

from django.utils.html import format_html

from core.models import Role
from core.modules import Audience, Link, Module, NavLink, register


def place_actions(place, user):
    if place.parcel is None:
        return [Link(label="Plant a tree near here", url="/trial/near/")]
    return [Link(label="Plant a tree here", url=f"/trial/?parcel={place.parcel.cadastral_code}")]


def place_panels(place, request, compact):
    count = 3 if compact else 12
    return [format_html('<section class="tree-census">{} trees counted</section>', count)]


def staff_links(case, user):
    return [Link(label="Open the tree register", url=f"/trial/cases/{case.reference}/")]


register(
    Module(
        app="tests.plugin",
        title="Trees",
        code="trees",
        role=Role.PROPERTY_OFFICER,
        nav=(
            NavLink("Street trees", "/trial/"),
            NavLink("Tree requests", "/trial/queue/", audience=Audience.STAFF, badge=lambda u: 4),
        ),
        place_actions=place_actions,
        place_panels=place_panels,
        staff_links=staff_links,
        catalogue=(
            {
                "code": "tree_planting",
                "name_ka": "ხის დარგვა",
                "name_en": "Tree planting",
                "working_days": 10,
                "documents": [
                    {
                        "code": "plan",
                        "name_ka": "გეგმა",
                        "name_en": "Planting plan",
                        "content_types": ["application/pdf"],
                    }
                ],
            },
        ),
    )
)
