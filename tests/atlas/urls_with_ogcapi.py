"""The site's URLs with an OGC API landing page, as the site has once that part is served."""

from django.http import JsonResponse
from django.urls import path

from atlas.urls import urlpatterns as site


def landing(request):
    return JsonResponse({"title": "OGC API", "links": []})


urlpatterns = [*site, path("ogcapi/", landing)]
