"""Uploaded files waiting between "check" and "confirm", under a random token.

A pending file belongs to the user who uploaded it and is removed after a day; it holds raw
values (withheld ones included) and must not linger or be confirmed by someone else.
"""

import re
import shutil
import tempfile
import time
import unicodedata
import uuid
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction

PENDING_DIR = "uploads/pending"
MAX_AGE_SECONDS = 24 * 3600
OWNER = ".owner"
# Characters count, not bytes: 80 German letters are at most 160 bytes, far below the 255 a
# file system allows and the 100 a FileField keeps with its folder.
MAX_NAME = 80
MAX_SUFFIX = 10
UNSAFE = re.compile(r"[^\w.-]+")


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / PENDING_DIR


def pending_path(token: str, name: str, user) -> Path:
    """Where a pending upload lives; a foreign or malformed token is refused, and so is a
    folder whose owner is not recorded (a gone folder holds nothing to refuse)."""
    try:
        if uuid.UUID(hex=token).hex != token:
            raise ValueError(token)
    except ValueError:
        raise PermissionDenied from None
    folder = _root() / token
    owner = folder / OWNER
    if folder.exists() and (not owner.is_file() or owner.read_text() != str(user.pk)):
        raise PermissionDenied
    return folder / safe_name(name)


def safe_name(name: str) -> str:
    """A file name that every file system and every message can hold: the last part of
    ``name``, letters, digits, ``-``, ``_`` and ``.`` only, at most MAX_NAME characters, its
    ending kept."""
    name = unicodedata.normalize("NFC", PurePath(str(name).replace("\\", "/")).name)
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > MAX_SUFFIX or not suffix.isalnum():
        stem, suffix = name, ""
    stem = UNSAFE.sub("_", stem).strip("._") or "datei"
    suffix = suffix.lower() if suffix.isascii() else ""
    return stem[: MAX_NAME - len(suffix) - 1] + (f".{suffix}" if suffix else "")


def keep(upload, user) -> tuple[str, Path]:
    """Store an uploaded file until it is confirmed, and clear out stale ones."""
    _remove_stale()
    token = uuid.uuid4().hex
    folder = _root() / token
    folder.mkdir(parents=True)
    (folder / OWNER).write_text(str(user.pk))
    path = folder / safe_name(upload.name)
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


def store_on_commit(field_file, path: Path) -> None:
    """Give ``field_file`` (a FileField of an unsaved row) a copy of ``path``, written to the
    storage only once the transaction commits: an import that fails or is killed leaves no
    copy of its raw values behind. Until then the copy is a nameless temporary file."""
    field, storage = field_file.field, field_file.storage
    name = field.generate_filename(field_file.instance, safe_name(Path(path).name))
    field_file.name = storage.get_available_name(name, max_length=field.max_length)
    # Unlinked at once: nothing is left if the process dies; closed by store() or, on a
    # rollback, when the callback is dropped.
    copy = tempfile.TemporaryFile()  # noqa: SIM115
    with Path(path).open("rb") as source:
        shutil.copyfileobj(source, copy)
    instance, attname, wanted = field_file.instance, field.attname, field_file.name

    def store() -> None:
        with copy:
            copy.seek(0)
            stored = storage.save(wanted, File(copy), max_length=field.max_length)
        if stored != wanted:  # taken in the meantime by another import
            type(instance).objects.filter(pk=instance.pk).update(**{attname: stored})

    transaction.on_commit(store)
