"""What the cadastre adds to the portal: the parcel list, the map's alternative."""

from django.utils.translation import gettext_lazy as _

from core.modules import Module, NavLink, register

register(
    Module(
        app="parcels",
        title=_("Cadastre"),
        nav=(NavLink(_("Parcel list"), "parcels:search", order=40, page="search"),),
    )
)
