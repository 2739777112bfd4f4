"""Four eyes on every change of what the public sees: a registry of kinds and their life cycle.

With ATLAS_FOUR_EYES, an admin edit, an import or a withdrawal is not applied but submitted as
a PendingChange; a second person with the permission approves it, and only then does the
handler the app registered apply it, against the state of that moment. Apps register their
kinds in ``AppConfig.ready()``; core imports no app (models are found through the registry).
"""

import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import formats, timezone

from .audit import record
from .models import PendingChange

APPROVE_PERMISSION = "core.approve_pendingchange"
FILES_DIR = "changes"


class Stale(ValueError):
    """The state changed since the change was submitted; it would not do what was approved."""


@dataclass(frozen=True)
class Line:
    """One line of a change as the second person reads it: field, old → new."""

    field: str
    old: str
    new: str
    # The live value where it is no longer the one the change started from.
    current: str | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    # Needed to approve, besides APPROVE_PERMISSION.
    permission: str
    # Applies the change for the approving user, inside the approval's transaction; returns
    # the object whose history should name both persons, or None where it logged itself.
    apply: Callable[..., models.Model | None]
    describe: Callable[[PendingChange], list[Line]]


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    _KINDS[kind.name] = kind


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: str(kind.label))


def kind_of(change: PendingChange) -> Kind:
    try:
        return _KINDS[change.kind]
    except KeyError:
        raise LookupError(f"Unbekannte Art von Änderung: {change.kind}") from None


def enabled() -> bool:
    """Whether changes of the public state wait for a second person."""
    return bool(getattr(settings, "ATLAS_FOUR_EYES", False))


def both(change: PendingChange, approver) -> str:
    """The two persons of an approved change, for audit messages."""
    return f"vorgelegt von {change.requested_by}, freigegeben von {approver}"


def describe(change: PendingChange) -> list[Line]:
    return kind_of(change).describe(change)


# --- Life cycle -----------------------------------------------------------------------------


@transaction.atomic
def submit(
    *, kind: str, user, target: str, summary: str, payload: dict, file: str = ""
) -> PendingChange:
    """Keep a change for a second person; nothing public changes yet."""
    if kind not in _KINDS:
        raise LookupError(f"Unbekannte Art von Änderung: {kind}")
    change = PendingChange.objects.create(
        kind=kind,
        target=target[:300],
        summary=summary[:500],
        payload=payload,
        file=file,
        requested_by=user,
    )
    record(user=user, obj=change, message=f"Zur Freigabe vorgelegt: {summary}", added=True)
    return change


@transaction.atomic
def approve(*, change: PendingChange, user) -> PendingChange:
    """Apply a change as a second person; refused for its own author or a changed state."""
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    kind = kind_of(change)
    if not change.is_pending:
        raise ValueError(f"Diese Änderung ist schon entschieden ({change.get_status_display()}).")
    if change.requested_by_id == user.pk:
        raise PermissionDenied(
            "Vier-Augen-Prinzip: Eigene Änderungen muss eine zweite Person freigeben."
        )
    if not (user.has_perm(APPROVE_PERMISSION) and user.has_perm(kind.permission)):
        raise PermissionDenied("Keine Berechtigung, diese Änderung freizugeben.")
    target = kind.apply(change, user=user)
    change.status = PendingChange.Status.APPROVED
    change.decided_by = user
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    message = f"{change.summary} ({both(change, user)})"
    record(user=user, obj=change, message=f"Freigegeben: {message}")
    if target is not None:
        added = "pk" in change.payload and change.payload["pk"] is None  # a model added
        record(user=user, obj=target, message=message, added=added)
    transaction.on_commit(lambda: discard_file(change))
    return change


@transaction.atomic
def reject(*, change: PendingChange, user, reason: str) -> PendingChange:
    """Refuse a change, with a reason; its author may also take it back this way."""
    if change.requested_by_id != user.pk and not user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("Keine Berechtigung, diese Änderung abzulehnen.")
    reason = reason.strip()
    if not reason:
        raise ValueError("Bitte eine Begründung für die Ablehnung angeben.")
    change = PendingChange.objects.select_for_update().get(pk=change.pk)
    if not change.is_pending:
        raise ValueError(f"Diese Änderung ist schon entschieden ({change.get_status_display()}).")
    change.status = PendingChange.Status.REJECTED
    change.decided_by = user
    change.decided_at = timezone.now()
    change.reason = reason
    change.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    record(
        user=user,
        obj=change,
        message=f"Abgelehnt: {change.summary} (vorgelegt von {change.requested_by}, "
        f"abgelehnt von {user}): {reason}",
    )
    transaction.on_commit(lambda: discard_file(change))
    return change


# --- Files waiting with a change --------------------------------------------------------------


def _files_root() -> Path:
    return Path(settings.MEDIA_ROOT) / FILES_DIR


def keep_file(path: Path) -> str:
    """Move an uploaded file to where it waits for approval; returns its name for the change.

    Pending uploads are cleared after a day (core/uploads.py); an approval may take longer.
    """
    folder = _files_root() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    target = folder / Path(path).name
    try:
        shutil.move(path, target)
    except FileNotFoundError:
        # The same confirmation sent twice: the first took the file.
        folder.rmdir()
        raise Stale("Die hochgeladene Datei ist nicht mehr vorhanden.") from None
    return str(target.relative_to(settings.MEDIA_ROOT))


def file_of(change: PendingChange) -> Path:
    """The file of a change; only ever one kept by keep_file()."""
    path = (Path(settings.MEDIA_ROOT) / change.file).resolve()
    if not change.file or not path.is_relative_to(_files_root().resolve()):
        raise PermissionDenied
    if not path.is_file():
        raise Stale("Die Datei dieser Änderung ist nicht mehr vorhanden.")
    return path


def discard_file(change: PendingChange) -> None:
    if not change.file:
        return
    path = (Path(settings.MEDIA_ROOT) / change.file).resolve()
    if path.is_relative_to(_files_root().resolve()):
        shutil.rmtree(path.parent, ignore_errors=True)


# --- Edits of a model (the admin's change form) ------------------------------------------------


def register_model(model: type[models.Model], *, permission: str) -> None:
    """Admin edits of ``model`` wait for approval; the approver needs ``permission``."""
    register(
        Kind(
            name=model._meta.label_lower,
            label=model._meta.verbose_name,
            permission=permission,
            apply=_apply_model,
            describe=_describe_model,
        )
    )


def encode(field: models.Field, obj: models.Model):
    """A field's value of an object as JSON (related objects by primary key)."""
    if field.many_to_many:
        return sorted(o.pk for o in getattr(obj, field.name).all()) if obj.pk else []
    if field.is_relation:
        return getattr(obj, field.attname)
    value = field.value_from_object(obj)
    if hasattr(value, "ewkt"):
        return value.ewkt
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def submit_model_change(
    *, obj: models.Model, names: list[str], many: dict[str, list[int]], user
) -> PendingChange | None:
    """Submit the edit of ``names`` on an unsaved ``obj`` (``many``: new related keys of its
    many-to-many fields); None when nothing differs from the stored object."""
    model = type(obj)
    meta = model._meta
    adding = obj._state.adding
    stored = None if adding else model._base_manager.get(pk=obj.pk)
    changes = {}
    for name in names:
        field = meta.get_field(name)
        new = sorted(many.get(name, [])) if field.many_to_many else encode(field, obj)
        old = None if stored is None else encode(field, stored)
        if adding or old != new:
            changes[name] = {"old": old, "new": new}
    if not changes:
        return None
    payload = {"model": meta.label_lower, "pk": None if adding else obj.pk, "changes": changes}
    verb = "neu" if adding else "geändert"
    shown = [f"{line.field}: {line.old} → {line.new}" for line in _lines(meta, changes, None)]
    return submit(
        kind=meta.label_lower,
        user=user,
        target=f"{meta.verbose_name} „{obj}“",
        summary=f"{verb}: " + "; ".join(shown),
        payload=payload,
    )


def _display(field: models.Field, value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if field.many_to_many:
        related = field.related_model._base_manager.filter(pk__in=value)
        return ", ".join(sorted(str(o) for o in related)) or "–"
    if field.is_relation:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float):
        return formats.localize(int(value) if value.is_integer() else value, use_l10n=True)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:159] + "…"


def _lines(meta, changes: dict, current: models.Model | None) -> list[Line]:
    lines = []
    for name, change in changes.items():
        field = meta.get_field(name)
        live = None
        if current is not None and encode(field, current) != change["old"]:
            live = _display(field, encode(field, current))
        lines.append(
            Line(
                str(field.verbose_name),
                _display(field, change["old"]),
                _display(field, change["new"]),
                live,
            )
        )
    return lines


def _describe_model(change: PendingChange) -> list[Line]:
    model = apps.get_model(change.payload["model"])
    pk = change.payload["pk"]
    current = None if pk is None else model._base_manager.filter(pk=pk).first()
    return _lines(model._meta, change.payload["changes"], current)


def _apply_model(change: PendingChange, *, user) -> models.Model:
    model = apps.get_model(change.payload["model"])
    meta = model._meta
    pk = change.payload["pk"]
    if pk is None:
        obj = model()
    else:
        obj = model._base_manager.select_for_update().filter(pk=pk).first()
        if obj is None:
            raise Stale(f"{change.target} gibt es nicht mehr.")
        stale = [line for line in _lines(meta, change.payload["changes"], obj) if line.current]
        if stale:
            raise Stale(
                f"{change.target} wurde seit der Vorlage geändert: "
                + "; ".join(f"{line.field} ist jetzt {line.current}" for line in stale)
                + ". Bitte ablehnen und neu vorlegen."
            )
    many = {}
    for name, value in change.payload["changes"].items():
        field = meta.get_field(name)
        if field.many_to_many:
            many[name] = value["new"]
        else:
            setattr(obj, field.attname, field.to_python(value["new"]))
    # The rules of the model hold at approval too (the disclosure floor among them).
    obj.full_clean()
    obj.save()
    for name, keys in many.items():
        getattr(obj, name).set(keys)
    return obj
