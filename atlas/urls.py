from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from districts import api as districts_api
from indicators import api as indicators_api

from . import accessibility, openapi, views

admin.site.site_header = _("Sozialatlas – Verwaltung")
admin.site.site_title = _("Sozialatlas")

api_v1 = [
    path("levels", districts_api.levels, name="levels"),
    path("districts", districts_api.districts, name="districts"),
    path("indicators", indicators_api.indicators, name="indicators"),
    path("values", indicators_api.values, name="values"),
    path("series", indicators_api.series, name="series"),
    path("change", indicators_api.change, name="change"),
    path("profile", indicators_api.district_profile, name="profile"),
    path("openapi.json", openapi.openapi, name="openapi"),
]

urlpatterns = [
    path("", views.map_view, name="map"),
    path("gebiet/<slug:level>/<str:code>/", views.profile_view, name="profile"),
    path("bezirk/<str:bezirk>/", views.map_view, name="bezirk"),
    path("barrierefreiheit/", accessibility.statement, name="accessibility"),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
