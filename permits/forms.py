"""The pre-check form: the list alternative to the map, and the map's own inputs."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from parcels.models import CADASTRAL_CODE, LandUse
from permits.models import BuildingClass
from permits.selectors import MAX_SITE_PARCELS, UnknownParcels, site_from_parcels

_SEPARATORS = re.compile(r"[\s,;]+")


class PrecheckForm(forms.Form):
    parcels = forms.CharField(
        label=_("Cadastral codes of the site"),
        help_text=_("One or more codes, separated by commas, e.g. 05.45.64.005"),
        max_length=2000,
    )
    footprint_area_m2 = forms.FloatField(
        label=_("Footprint area, m²"),
        help_text=_("The ground floor's area. Not needed when you draw the footprint on the map."),
        min_value=1,
        max_value=1_000_000,
        required=False,
    )
    floors = forms.IntegerField(label=_("Floors above ground"), min_value=1, max_value=200)
    height_m = forms.FloatField(
        label=_("Height, m"),
        help_text=_("Leave empty to assume 3 m a floor."),
        min_value=0,
        max_value=1000,
        required=False,
    )
    floor_area_m2 = forms.FloatField(
        label=_("Total floor area, m²"),
        help_text=_("Leave empty to compute it from the footprint and the floors."),
        min_value=0,
        required=False,
    )
    green_area_m2 = forms.FloatField(
        label=_("Green area, m²"),
        help_text=_("Permeable soil and planting; patches of 2 m² or less do not count."),
        min_value=0,
        required=False,
    )
    incomplete_floors = forms.IntegerField(
        label=_("Of which incomplete floors"), min_value=0, max_value=200, required=False
    )
    attic_area_over_1_6m = forms.FloatField(
        label=_("Attic area higher than 1.6 m, m²"), min_value=0, required=False
    )
    building_class = forms.ChoiceField(
        label=_("Building class"),
        choices=[("", _("Not sure"))] + list(BuildingClass.choices),
        required=False,
    )
    use = forms.ChoiceField(
        label=_("Use"), choices=[("", _("Not given"))] + list(LandUse.choices), required=False
    )

    def clean_parcels(self) -> list[str]:
        codes = [c for c in _SEPARATORS.split(self.cleaned_data["parcels"]) if c]
        if not codes:
            raise forms.ValidationError(_("Give at least one cadastral code."))
        if len(codes) > MAX_SITE_PARCELS:
            raise forms.ValidationError(
                _("At most %(n)s parcels make one site.") % {"n": MAX_SITE_PARCELS}
            )
        bad = [c for c in codes if not CADASTRAL_CODE.match(c)]
        if bad:
            raise forms.ValidationError(
                _("%(code)s is not a cadastral code (e.g. 05.45.64.005).") % {"code": bad[0]}
            )
        try:
            self.site = site_from_parcels(codes)
        except UnknownParcels as exc:
            raise forms.ValidationError(
                _("No current parcel has the cadastral code: %(codes)s.")
                % {"codes": ", ".join(exc.codes)}
            ) from None
        return codes

    def clean(self):
        data = super().clean()
        floors, incomplete = data.get("floors"), data.get("incomplete_floors") or 0
        if floors is not None and incomplete > floors:
            self.add_error(
                "incomplete_floors", _("There cannot be more incomplete floors than floors.")
            )
        if data.get("footprint_area_m2") is None and "footprint_area_m2" not in self.errors:
            self.add_error(
                "footprint_area_m2",
                _("Enter the footprint area, or draw the footprint on the map."),
            )
        return data

    def check_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "site": self.site.geom,
            "footprint": None,
            "footprint_area_m2": data["footprint_area_m2"],
            "floors": data["floors"],
            "floor_area_m2": data.get("floor_area_m2"),
            "green_area_m2": data.get("green_area_m2"),
            "height_m": data.get("height_m"),
            "incomplete_floors": data.get("incomplete_floors") or 0,
            "attic_area_over_1_6m": data.get("attic_area_over_1_6m") or 0.0,
            "building_class": data.get("building_class") or None,
            "use": data.get("use") or None,
        }
