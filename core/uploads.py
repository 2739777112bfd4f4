"""Uploaded files waiting between "check" and "confirm", under a random token.

A pending file belongs to the user who uploaded it and is removed after a day; it holds raw
values (withheld ones included) and must not linger or be confirmed by someone else.
"""

import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied

PENDING_DIR = "uploads/pending"
MAX_AGE_SECONDS = 24 * 3600
OWNER = ".owner"


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / PENDING_DIR


def pending_path(token: str, name: str, user) -> Path:
    """Where a pending upload lives; a foreign or malformed token is refused."""
    try:
        if uuid.UUID(hex=token).hex != token:
            raise ValueError(token)
    except ValueError:
        raise PermissionDenied from None
    folder = _root() / token
    owner = folder / OWNER
    if owner.is_file() and owner.read_text() != str(user.pk):
        raise PermissionDenied
    return folder / Path(name).name


def keep(upload, user) -> tuple[str, Path]:
    """Store an uploaded file until it is confirmed, and clear out stale ones."""
    _remove_stale()
    token = uuid.uuid4().hex
    folder = _root() / token
    folder.mkdir(parents=True)
    (folder / OWNER).write_text(str(user.pk))
    path = folder / Path(upload.name).name
    with path.open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return token, path


def _remove_stale() -> None:
    if not _root().is_dir():
        return
    cutoff = time.time() - MAX_AGE_SECONDS
    for folder in _root().iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
