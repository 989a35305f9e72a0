"""What uploaded datasets add to the portal: the GIS officers' list of datasets."""

from django.utils.translation import gettext_lazy as _

from core.modules import Audience, Module, NavLink, register
from datasets.rules import can_manage_datasets

register(
    Module(
        app="datasets",
        title=_("Datasets"),
        nav=(
            NavLink(
                _("Datasets"),
                "datasets:list",
                audience=Audience.STAFF,
                order=30,
                page="datasets",
                show=lambda user: can_manage_datasets.test(user, None),
            ),
        ),
    )
)
