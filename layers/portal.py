"""What the layer registry adds to the portal: the list of layers without the map."""

from django.utils.translation import gettext_lazy as _

from core.modules import Module, NavLink, register

register(
    Module(
        app="layers",
        title=_("Layers"),
        nav=(NavLink(_("Layers"), "layer-pages:list", order=20, page="layers"),),
    )
)
