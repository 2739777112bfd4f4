from django.conf import settings


def site(request):
    return {"city_name": settings.ATLAS_CITY_NAME}
