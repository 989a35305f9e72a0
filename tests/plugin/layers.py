"""The trial module's layer: municipal parcels, as planting sites."""

from layers.registry import Layer, register
from parcels.models import Parcel

register(
    Layer(
        name="trial-planting-sites",
        title_ka="დარგვის ადგილები",
        title_en="Planting sites",
        queryset=lambda: Parcel.objects.current().filter(is_municipal_property=True),
        properties=("cadastral_code",),
        min_zoom=12,
    )
)
