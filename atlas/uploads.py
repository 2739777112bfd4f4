"""Uploaded files waiting between "check" and "confirm", under a random token."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied

PENDING_DIR = "uploads/pending"


def pending_path(token: str, name: str) -> Path:
    """Where a pending upload lives; a token that is no UUID is refused."""
    try:
        uuid.UUID(hex=token)
    except ValueError:
        raise PermissionDenied from None
    return Path(settings.MEDIA_ROOT) / PENDING_DIR / token / Path(name).name


def keep(upload) -> tuple[str, Path]:
    """Store an uploaded file until it is confirmed."""
    token = uuid.uuid4().hex
    path = pending_path(token, upload.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return token, path
