from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from districts import api as districts_api
from facilities import api as facilities_api
from indicators import api as indicators_api
from projections import api as projections_api

from . import (
    accessibility,
    apidocs,
    catchment_downloads,
    downloads,
    factsheet,
    feeds,
    health,
    jscatalog,
    openapi,
    projection_overview,
    projection_pages,
    publicdata,
    report_pages,
    values_api,
    views,
)
from .pagecache import shared_page

admin.site.site_header = _("Sozialatlas – Verwaltung")
admin.site.site_title = _("Sozialatlas")

# The read endpoints of the statistics keep their pages per data state (atlas/pagecache.py).
api_v1 = [
    path("levels", districts_api.levels, name="levels"),
    path("districts", districts_api.districts, name="districts"),
    # Path converters would turn a malformed coordinate into a bare 404: the view names it.
    path("tiles/<str:level>/<str:z>/<str:x>/<str:y>.mvt", districts_api.tile, name="tile"),
    path("indicators", shared_page(indicators_api.indicators), name="indicators"),
    path("values", shared_page(values_api.values), name="values"),
    path("series", shared_page(projections_api.series), name="series"),
    path("change", shared_page(indicators_api.change), name="change"),
    path("profile", shared_page(indicators_api.district_profile), name="profile"),
    path("themes", indicators_api.themes, name="themes"),
    path("releases", indicators_api.releases, name="releases"),
    path("facility-types", facilities_api.facility_types, name="facility-types"),
    path("facilities", facilities_api.facilities, name="facilities"),
    path("catchment", facilities_api.catchment_shares, name="catchment"),
    path("openapi.json", openapi.openapi, name="openapi"),
]

open_data = [
    path("", downloads.index, name="index"),
    path("dcat.jsonld", downloads.dcat, name="dcat"),
    path("releases.atom", feeds.releases_feed, name="releases-feed"),
    path("<slug:theme>/releases.atom", feeds.releases_feed, name="theme-releases-feed"),
    path("gebiete.gpkg", downloads.districts_gpkg, name="gpkg"),
    path("tabelle.csv", downloads.table_csv, name="table-csv"),
    path("tabelle.xlsx", downloads.table_xlsx, name="table-xlsx"),
    path("erreichbarkeit.csv", catchment_downloads.catchment_csv, name="catchment-csv"),
    path("erreichbarkeit.xlsx", catchment_downloads.catchment_xlsx, name="catchment-xlsx"),
    path("<int:release_id>/werte.csv", downloads.release_csv, name="release-csv"),
    path("<int:release_id>/werte.xlsx", downloads.release_xlsx, name="release-xlsx"),
]

# The map's first view as immutable files (atlas/publicdata.py); nginx may serve them directly.
public_data = [
    path("", publicdata.unknown_file, name="public-data"),
    path(
        "boundaries/<slug:level>/<int:year>.json",
        publicdata.boundaries_file,
        name="public-data-boundaries",
    ),
    path(
        "boundaries/<slug:level>/<int:year>-z<int:zoom>.json",
        publicdata.band_boundaries_file,
        name="public-data-band-boundaries",
    ),
    path(
        "boundaries/<slug:level>/<int:year>-z<int:zoom>/<int:x>-<int:y>.json",
        publicdata.band_boundaries_file,
        name="public-data-chunk-boundaries",
    ),
    path(
        "values/<slug:indicator>/<slug:level>/<int:year>.json",
        publicdata.values_file,
        name="public-data-values",
    ),
    path(
        "values/<slug:indicator>/<slug:level>/<int:year>-in-<slug:within>.json",
        publicdata.values_file,
        name="public-data-bezirk-values",
    ),
    path(
        "values/<slug:indicator>/<slug:level>/<slug:scenario>/<int:year>.json",
        publicdata.values_file,
        name="public-data-projected-values",
    ),
    path(
        "values/<slug:indicator>/<slug:level>/<slug:scenario>/<int:year>-in-<slug:within>.json",
        publicdata.values_file,
        name="public-data-bezirk-projected-values",
    ),
    path(
        "facilities/<slug:level>/<int:year>.json",
        publicdata.facilities_file,
        name="public-data-facilities",
    ),
    path(
        "facilities/<slug:level>/<int:year>-in-<slug:within>.json",
        publicdata.facilities_file,
        name="public-data-bezirk-facilities",
    ),
    path(
        "catchment/<slug:facility_type>/<int:distance>/<slug:level>/<int:year>.json",
        publicdata.catchment_file,
        name="public-data-catchment",
    ),
    path(
        "catchment/<slug:facility_type>/<int:distance>/<slug:level>/<int:year>-in-<slug:within>.json",
        publicdata.catchment_file,
        name="public-data-bezirk-catchment",
    ),
]

urlpatterns = [
    path("", views.map_view, name="map"),
    path("gebiet/<slug:level>/<str:code>/", views.profile_view, name="profile"),
    path("bezirk/<str:bezirk>/", views.map_view, name="bezirk"),
    path("bezirk/<str:bezirk>/steckbrief/", factsheet.factsheet_view, name="factsheet"),
    path("bezirk/<str:bezirk>/steckbrief.pdf", factsheet.factsheet_pdf, name="factsheet-pdf"),
    path("berichte/", report_pages.report_list, name="reports"),
    path("berichte/<slug:slug>/", report_pages.report_page, name="report"),
    path("berichte/<slug:slug>/bericht.pdf", report_pages.report_pdf, name="report-pdf"),
    path("berichte/<slug:slug>/bericht.docx", report_pages.report_docx, name="report-docx"),
    path("barrierefreiheit/", accessibility.statement, name="accessibility"),
    path("vorausberechnung/", projection_overview.overview, name="projection-overview"),
    path("vorausberechnung/genauigkeit/", projection_pages.accuracy, name="projection-accuracy"),
    path("vorausberechnung/methode/", projection_pages.method, name="projection-method"),
    path("api/", apidocs.api_guide, name="api"),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("ogcapi/", include("atlas.ogcapi.urls")),
    path("daten/", include((open_data, "downloads"), namespace="downloads")),
    path("data/<str:state>/", include(public_data)),
    re_path(r"^data/", publicdata.unknown_file),
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/<str:lang>/<str:version_asked>.js", jscatalog.catalogue, name="js-catalog"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

# The atlas's own answers wherever DEBUG is off (atlas/errors.py).
handler404 = "atlas.errors.not_found"
handler500 = "atlas.health.server_error"
