from django.urls import path, re_path

from . import views

app_name = "ogcapi"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("api", views.api, name="api"),
    path("conformance", views.conformance, name="conformance"),
    path("collections", views.collections, name="collections"),
    path("collections/<str:collection_id>", views.collection, name="collection"),
    path("collections/<str:collection_id>/items", views.items, name="items"),
    path(
        "collections/<str:collection_id>/queryables",
        views.collection_queryables,
        name="queryables",
    ),
    path("collections/<str:collection_id>/items/<str:feature_id>", views.item, name="item"),
    # Last: every other address gets the atlas's own 404, never Django's debug page.
    re_path(r"^(?P<path>.*)$", views.not_found),
]
