from django.conf import settings


def site(request):
    # After a language switch the page reopens as it was, without a ``lang`` that would win.
    params = request.GET.copy()
    params.pop("lang", None)
    query = params.urlencode()
    return {
        "city_name": settings.ATLAS_CITY_NAME,
        "next_url": request.path + (f"?{query}" if query else ""),
    }
