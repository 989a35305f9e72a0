"""What anyone sees of the estate: the offers on a map and in a list, the public register, an
asset's page and the results of closed auctions. The lists work without JavaScript."""

from __future__ import annotations

import json

from django import forms
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import Municipality
from estate import register as selectors
from estate.layers import BUILDING_COLOUR, LAND_COLOUR, OFFERS_LAYER
from estate.models import Asset, AssetKind, AssetState, LotKind

PAGE_SIZE = 25


def lot_url(reference: str | None) -> str | None:
    """The lot's page, when the portal has one."""
    if not reference:
        return None
    try:
        return reverse("estate:lot", args=[reference])
    except NoReverseMatch:
        return None


def parcel_url(code: str) -> str | None:
    try:
        return reverse("parcels:page", args=[code])
    except NoReverseMatch:
        return None


def municipality_choices():
    return [("", _("All municipalities"))] + [
        (m.code, m.name) for m in Municipality.objects.defer("boundary").order_by("code")
    ]


class OfferFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Cadastral code, name, address or lot number"),
    )
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    asset_kind = forms.ChoiceField(
        label=_("Kind of asset"),
        required=False,
        choices=[("", _("Any kind"))] + list(AssetKind.choices),
    )
    offer_kind = forms.ChoiceField(
        label=_("Offered for"),
        required=False,
        choices=[("", _("Lease, sale or usufruct"))] + list(LotKind.choices),
    )
    price_min = forms.DecimalField(
        label=_("Start price from, GEL"), required=False, min_value=0, max_digits=14
    )
    price_max = forms.DecimalField(
        label=_("Start price to, GEL"), required=False, min_value=0, max_digits=14
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("closes", _("Closing soonest")),
            ("-closes", _("Closing latest")),
            ("price", _("Lowest start price")),
            ("-price", _("Highest start price")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = municipality_choices()


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Cadastral code, register number, name or address"),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), (selectors.OFFERED, _("Offered now"))]
        + [(state.value, state.label) for state in selectors.REGISTER_STATES],
    )
    kind = forms.ChoiceField(
        label=_("Kind of asset"),
        required=False,
        choices=[("", _("Any kind"))] + list(AssetKind.choices),
    )
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = municipality_choices()


def paged(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def offers(request):
    """GET /{lang}/estate/: what is offered now, on the map and in a list."""
    form = OfferFilterForm(request.GET or None)
    filters = selectors.OfferFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.OfferFilter(
            q=data["q"].strip(),
            municipality=data["municipality"],
            asset_kind=data["asset_kind"],
            offer_kind=data["offer_kind"],
            price_min=data["price_min"],
            price_max=data["price_max"],
            sort=data["sort"] or "closes",
        )
    page, query = paged(request, selectors.offers(filters))
    for asset in page.object_list:
        asset.lot_url = lot_url(asset.lot_reference)
    language = get_language()
    config = {
        "styleUrl": f"{reverse('layers:style')}?lang={language}",
        "layer": OFFERS_LAYER,
        "cardUrl": reverse("layer-pages:card", args=[OFFERS_LAYER]),
        "bbox": offers_bbox(filters),
        "legend": [
            {"label": str(_("Land on offer")), "colour": LAND_COLOUR, "fill": LAND_COLOUR},
            {
                "label": str(_("Buildings and units on offer")),
                "colour": BUILDING_COLOUR,
                "fill": BUILDING_COLOUR,
            },
        ],
    }
    return render(
        request,
        "estate/offers.html",
        {
            "form": form,
            "page_obj": page,
            "assets": page.object_list,
            "query": query,
            "config": config,
            "page": "estate",
        },
    )


def offers_bbox(filters: selectors.OfferFilter) -> list[float] | None:
    """The bbox, in degrees, of the offers listed in one city (the one filtered, or the first
    that has offers), where the map opens: the two cities are too far apart for one view."""
    offers = Asset.objects.filter(pk__in=selectors.offers(filters).values("pk"))
    code = filters.municipality or (
        offers.order_by("municipality__code").values_list("municipality__code", flat=True).first()
    )
    if code:
        offers = offers.filter(municipality__code=code)
    extent = offers.aggregate(box=Extent(Transform("geom", 4326)))["box"]
    if extent is None:
        extent = Municipality.objects.filter(code=code or "").aggregate(
            box=Extent(Transform("boundary", 4326))
        )["box"]
    return list(extent) if extent else None


def register(request):
    """GET /{lang}/estate/register/: the whole public register of municipal property."""
    form = RegisterFilterForm(request.GET or None)
    params = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        params = {
            "q": data["q"].strip(),
            "state": data["state"],
            "kind": data["kind"],
            "municipality": data["municipality"],
        }
    page, query = paged(request, selectors.public_register(**params))
    return render(
        request,
        "estate/register.html",
        {
            "form": form,
            "page_obj": page,
            "assets": page.object_list,
            "query": query,
            "page": "estate",
        },
    )


def asset(request, reference: str):
    """GET /{lang}/estate/assets/<reference>/: one asset of the register, with its lots."""
    found = selectors.public_asset(reference)
    if found is None:
        raise Http404(_("There is no such asset in the register."))
    geometry = found.geom.transform(4326, clone=True)
    for lot in found.public_lots:
        lot.page_url = lot_url(lot.reference)
    config = {
        "styleUrl": f"{reverse('layers:style')}?lang={get_language()}",
        "geometry": json.loads(geometry.geojson),
        "bbox": list(geometry.extent),
        "layer": OFFERS_LAYER,
    }
    return render(
        request,
        "estate/asset.html",
        {
            "asset": found,
            "lots": found.public_lots,
            "parcel_url": parcel_url(found.parcel.cadastral_code) if found.parcel_id else None,
            "config": config,
            "offered": found.state in (AssetState.LISTED, AssetState.IN_AUCTION),
            "page": "estate",
        },
    )


def results(request):
    """GET /{lang}/estate/results/: the results of closed auctions."""
    municipality = request.GET.get("municipality", "")
    codes = {code for code, _name in municipality_choices()}
    page, query = paged(
        request, selectors.closed_lots(municipality=municipality if municipality in codes else "")
    )
    for lot in page.object_list:
        lot.page_url = lot_url(lot.reference)
    return render(
        request,
        "estate/results.html",
        {
            "page_obj": page,
            "lots": page.object_list,
            "query": query,
            "municipalities": municipality_choices(),
            "municipality": municipality,
            "page": "estate",
        },
    )
