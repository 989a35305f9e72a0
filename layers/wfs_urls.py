"""WFS 2.0 over the layer registry (django-gisserver), at the stable address `/wfs`."""

from django.urls import path

from layers.wfs import LayerWFSView

app_name = "wfs"

urlpatterns = [
    path("wfs", LayerWFSView.as_view(), name="wfs"),
]
