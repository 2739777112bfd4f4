"""The site's addresses and one kept view with a form that carries a CSRF token."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from atlas.pagecache import shared_page
from atlas.urls import urlpatterns as site


@shared_page
def form(request):
    token = get_token(request)
    return HttpResponse(
        f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        "</form>"
    )


urlpatterns = [path("formular/", form), *site]
