"""The estate's public pages: the offers on the map and in a list."""

from django.http import HttpResponse


def offers(request):
    return HttpResponse("offers")
