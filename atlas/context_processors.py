from django.conf import settings


def site(request):
    """The city's name, and the page itself in each language: the language switch is a link
    (``?lang=``, atlas.middleware), so a public page carries nothing of one visitor's."""
    links = []
    for code, _name in settings.LANGUAGES:
        params = request.GET.copy()
        params.pop("lang", None)
        params["lang"] = code
        links.append((code, f"{request.path}?{params.urlencode()}"))
    return {"city_name": settings.ATLAS_CITY_NAME, "language_links": links}
