from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    """The machine's baseline: the cheapest Django view, through the same middleware."""
    return HttpResponse("ok")


urlpatterns = [path("bench/bare", bare), *portal_urlpatterns]
