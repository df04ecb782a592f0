"""Fork: start a new resource in the forker's institution from an existing version."""

from django.contrib.auth.models import User
from django.db import transaction

import licensing
from repository.access import can_view, require_adaptable, require_member
from repository.actions.versions import create_resource, create_version, tree_of
from repository.errors import LicenceRefused, PermissionRefused
from repository.models import Derivation, Institution, Version


@transaction.atomic
def fork_version(
    source: Version,
    *,
    into: Institution,
    by: User,
    licence: str | None = None,
    title: str | None = None,
) -> Version:
    """Make a resource in `into` whose first version has `source`'s tree, copying no bytes.

    The fork credits `by` as its author and is theirs: it waits unpublished for staff of
    `into` (a student's fork is a draft they own and may deposit new versions to).
    Raises LicenceRefused when the source's licence allows no shared adaptation (or not
    `licence`), PermissionRefused when `by` cannot see the source or is not a member of `into`.
    """
    if not can_view(by, source):
        raise PermissionRefused("You cannot see this version, so you cannot fork it.")
    require_member(by, into, "fork into it")
    require_adaptable(source)
    try:
        chosen = licensing.require_adaptation_license([source.licence], licence)
    except licensing.LicenceConflict as exc:
        raise LicenceRefused(str(exc)) from None
    # The fork is the forker's adaptation: they are its author, and the source's authors are
    # credited through the lineage (its attribution names the source and who made it).
    manifest = {
        **source.manifest,
        "license": chosen,
        "title": title or source.manifest["title"],
        "authors": [by.first_name or by.get_username()],
    }
    resource = create_resource(institution=into, manifest=manifest, by=by)
    fork = create_version(
        resource=resource,
        manifest=manifest,
        tree=tree_of(source),
        by=by,
        changelog=f"Forked from {source.resource.title} v{source.number} "
        f"({source.resource.institution.name}).",
        publish_on_pass=False,
    )
    Derivation.objects.create(child=fork, parent=source, kind=Derivation.Kind.FORK)
    return fork
