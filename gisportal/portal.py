"""What the composition root adds to the navigation: the administration and the API docs."""

from django.utils.translation import gettext_lazy as _

from core.modules import Audience, Module, NavLink, register

register(
    Module(
        app="gisportal",
        title=_("Portal"),
        nav=(
            NavLink(_("Administration"), "admin:index", audience=Audience.STAFF, order=90),
            NavLink(_("API"), "api-docs", order=90, in_header=False),
        ),
    )
)
