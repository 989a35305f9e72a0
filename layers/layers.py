"""The tenancy floor's layers, published by the registry itself: municipal boundaries, districts."""

from core.models import District, Municipality
from layers.registry import Layer, register

register(
    Layer(
        name="municipalities",
        title_ka="მუნიციპალიტეტების საზღვრები",
        title_en="Municipal boundaries",
        description_ka="ბათუმისა და რუსთავის ადმინისტრაციული საზღვრები.",
        description_en="Administrative boundaries of Batumi and Rustavi.",
        queryset=lambda: Municipality.objects.all(),
        geometry_field="boundary",
        properties=("code", "name_ka", "name_en"),
        min_zoom=0,
        simplify_pixels=1.0,
        basemap=True,
        order=10,
        style=(
            {"type": "fill", "paint": {"fill-color": "#f4f1ea", "fill-opacity": 1}},
            {
                "type": "line",
                "paint": {"line-color": "#7a5c8e", "line-width": 2.5, "line-dasharray": [3, 2]},
            },
        ),
    )
)

register(
    Layer(
        name="districts",
        title_ka="რაიონები",
        title_en="Districts",
        description_ka="მუნიციპალიტეტის რაიონები: ბიუჯეტისა და პეტიციების ტერიტორიები.",
        description_en="Districts of each municipality, used by budgets and petitions.",
        queryset=lambda: District.objects.all(),
        geometry_field="boundary",
        properties=("code", "name_ka", "name_en", "municipality_id"),
        min_zoom=9,
        simplify_pixels=1.0,
        basemap=True,
        order=20,
        style=(
            {
                "type": "line",
                "paint": {"line-color": "#a58bb5", "line-width": 1.2, "line-opacity": 0.9},
            },
        ),
    )
)
