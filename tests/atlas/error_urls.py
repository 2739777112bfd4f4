"""The atlas's URLs with views that fail, for the tests of its 500 answers (test_errors.py)."""

from django.urls import path

from atlas.urls import handler404, handler500, urlpatterns

SECRET = "Zelle 4711: 2 Fälle"


def fails(request, **kwargs):
    # The message stands for what a traceback would show: values the visitor must not see.
    raise RuntimeError(SECRET)


urlpatterns = [
    path("kaputt/", fails),
    path("api/v1/kaputt", fails),
    path("ogcapi/kaputt", fails),
    path("daten/kaputt.csv", fails),
    *urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
