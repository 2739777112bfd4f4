"""Erklärung zur Barrierefreiheit: the accessibility statement every public body must publish."""

from django.conf import settings
from django.shortcuts import render


def statement(request):
    """The statement (structure of the EU model, Durchführungsbeschluss (EU) 2018/1523)."""
    context = {
        "site_url": request.build_absolute_uri("/"),
        "contact_email": settings.ATLAS_ACCESSIBILITY_CONTACT_EMAIL,
        "enforcement_name": settings.ATLAS_ACCESSIBILITY_ENFORCEMENT_NAME,
        "enforcement_url": settings.ATLAS_ACCESSIBILITY_ENFORCEMENT_URL,
        "reviewed": settings.ATLAS_ACCESSIBILITY_REVIEWED,
    }
    return render(request, "atlas/accessibility.html", context)
