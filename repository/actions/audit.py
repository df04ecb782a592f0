"""The audit log: the one helper every admin action calls to say who did what, to what, when."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import models

from repository import tracing
from repository.models import AdminAction, Institution, Report, Version

#: Fields whose values never go into the log, only the fact that they changed: secrets, and
#: texts too long to be worth copying (SAML metadata and certificates).
UNCOPIED = frozenset({"client_secret", "metadata_xml", "metadata_certificate"})


def actor_name(user: User) -> str:
    return user.get_full_name() or user.email or user.username


def snapshot(obj: models.Model | None, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `obj` (nothing for None: the object is being created)."""
    if obj is None:
        return {}
    return {field: getattr(obj, field) for field in fields}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Each field whose value differs, as {"from", "to"}; UNCOPIED ones only as changed."""
    changed: dict[str, Any] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        if field in UNCOPIED:
            changed[field] = {"changed": True}
        else:
            changed[field] = {"from": old, "to": new}
    return changed


def institution_of(target: models.Model) -> Institution | None:
    if isinstance(target, Institution):
        return target
    if isinstance(target, Version):
        return target.resource.institution
    institution = getattr(target, "institution", None)
    return institution if isinstance(institution, Institution) else None


def record(
    kind: str,
    *,
    by: User,
    target: models.Model,
    label: str = "",
    institution: Institution | None = None,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    report: Report | None = None,
) -> AdminAction:
    """Add a line to the audit log, in the caller's transaction, with the current request id.

    `target` is the object acted on (call before deleting it: its key and `label`, by default
    its str(), are kept as text). The line belongs to `institution`, by default the target's,
    whose admins see it; site admins see every line (repository/access.py audit_log_for).
    """
    return AdminAction.objects.create(
        kind=kind,
        actor=by,
        actor_name=actor_name(by),
        institution=institution or institution_of(target),
        version=target if isinstance(target, Version) else None,
        report=report,
        target_type=target._meta.model_name or "",
        target_id=str(target.pk),
        target_label=(label or str(target))[:300],
        changes=dict(changes or {}),
        reason=reason,
        request_id=tracing.current() or "",
    )
