"""Fork: start a new resource in the forker's institution from an existing version."""

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

import licensing
import licensing.parts
from licensing import notices
from repository.access import can_view, require_adaptable, require_member
from repository.actions.versions import TreeEntry, create_resource, create_version, tree_of
from repository.credit.attribution import components_of
from repository.credit.choices import PartChoices, part_choices
from repository.errors import LicenceRefused, PermissionRefused
from repository.models import Derivation, Institution, Version
from repository.storage import blobs


def relicensed_tree(
    source: Version, *, licence: str, title: str, by_part: Mapping[str, str] | None = None
) -> tuple[list[TreeEntry], list[str]]:
    """`source`'s tree with a LICENSE file for `licence`, and what was changed (for the log).

    Only the root licence files are touched, so every other blob is shared as before: the new
    LICENSE.txt is one new small blob. The original's licence file moves to LICENSES/ when its
    terms ask for its notice to travel with the material (licensing.notices); the notices of
    third-party components, kept in their own folders, are never touched.
    """
    tree = tree_of(source)
    originals = [e for e in tree if e.path.lower() in notices.LICENCE_FILE_NAMES]
    taken = {e.path for e in tree} - {e.path for e in originals}
    kept: dict[str, TreeEntry] = {}
    changes = []
    for entry in originals:
        path = notices.kept_name(source.licence, entry.path)
        if not notices.keeps_notice(source.licence):
            changes.append(f"{entry.path} left out ({source.licence} asks for no notice)")
        elif path in taken or path in kept:
            changes.append(f"{entry.path} left out (its text is already in {path})")
        else:
            kept[path] = TreeEntry(path, entry.sha256, entry.size)
            changes.append(f"the original {entry.path} kept as {path}")
    text = notices.licence_file(
        title=title,
        license_id=licence,
        source=notices.Source(
            title=source.resource.title,
            authors=source.authors,
            license_id=source.licence,
            url=settings.SITE_URL + source.get_absolute_url(),
        ),
        kept=list(kept),
        components=components_of(source),
        by_part=by_part,
    ).encode()
    sha, _ = blobs.put_bytes(text)
    new = TreeEntry(notices.NEW_LICENCE_FILE, sha, len(text))
    rest = [e for e in tree if e not in originals and e.path != new.path]
    changes.insert(0, f"{new.path} written for {licensing.get_license(licence).short_name}")
    return sorted([*rest, *kept.values(), new], key=lambda e: e.path), changes


def check_part_licences(
    choices: PartChoices, chosen: Mapping[str, str], whole: str, *, title: str
) -> dict[str, str]:
    """The per-part licences of a fork, each checked; raise LicenceRefused saying what to fix.

    Each part's new licence must be one its own sources allow (code with code, content with
    content: `repository.credit.choices.part_choices`), and it must fit inside the licence of
    the whole, which tells reusers what they may do with all of it.
    """
    parts = {p.part: p for p in choices.parts}
    checked: dict[str, str] = {}
    for name, licence in chosen.items():
        if name not in parts:
            offered = " and ".join(parts) or "no parts"
            raise LicenceRefused(
                f"{title!r} has no {name} part to license separately (it has {offered}). "
                "What you can do: choose a licence for one of those parts, or leave it out."
            )
        try:
            licence_id = licensing.current_id(licence)
            licensing.require_adaptation_license(parts[name].sources, licence_id)
        except licensing.LicenceConflict as exc:
            raise LicenceRefused(
                f"For the {name} ({', '.join(parts[name].sources)}): {exc}"
            ) from None
        except licensing.UnknownLicence as exc:
            raise LicenceRefused(f"The licence chosen for the {name}: {exc}") from None
        problem = licensing.parts.part_problem(
            licensing.get_license(licence_id), licensing.get_license(whole), part=name
        )
        if problem:
            raise LicenceRefused(
                f"Your {name} would be {licensing.get_license(licence_id).short_name} inside "
                f"a fork licensed {licensing.get_license(whole).short_name} as a whole: "
                f"{problem} What you can do: choose a licence for the whole that can carry "
                f"the {name} (for example {licensing.get_license(licence_id).short_name}), or "
                f"another licence for the {name}."
            )
        checked[name] = licence_id
    return checked


@transaction.atomic
def fork_version(
    source: Version,
    *,
    into: Institution,
    by: User,
    licence: str | None = None,
    title: str | None = None,
    part_licences: Mapping[str, str] | None = None,
) -> Version:
    """Make a resource in `into` whose first version has `source`'s tree, copying no bytes.

    The fork credits `by` as its author and is theirs: it waits unpublished for staff of
    `into` (a student's fork is a draft they own and may deposit new versions to).
    `part_licences` ({"code": id, "content": id}) licenses the forker's changes to each part
    separately, where the source mixes licences: each must be one that part's sources allow
    and fit inside `licence`; they are recorded in the manifest (`part_licences`) and in the
    regenerated LICENSE.txt.
    Raises LicenceRefused when the source's licence allows no shared adaptation (or not
    `licence`, or a part's licence does not fit), PermissionRefused when `by` cannot see the
    source or is not a member of `into`.
    """
    if not can_view(by, source):
        raise PermissionRefused("You cannot see this version, so you cannot fork it.")
    require_member(by, into, "fork into it")
    require_adaptable(source)
    try:
        chosen = licensing.require_adaptation_license(
            [source.licence], licence, names=[source.resource.title]
        )
    except licensing.LicenceConflict as exc:
        raise LicenceRefused(str(exc)) from None
    by_part = check_part_licences(
        part_choices([source.licence_parts]),
        part_licences or {},
        chosen,
        title=source.resource.title,
    )
    # The fork is the forker's adaptation: they are its author, and the source's authors are
    # credited through the lineage (its attribution names the source and who made it).
    manifest = {
        **source.manifest,
        "license": chosen,
        "title": title or source.manifest["title"],
        "authors": [by.first_name or by.get_username()],
    }
    manifest.pop("part_licences", None)  # the source's own choices were for its changes
    if by_part:
        manifest["part_licences"] = by_part
    resource = create_resource(institution=into, manifest=manifest, by=by)
    changelog = f"Forked from {source.resource.title} v{source.number} ({source.resource.institution.name})."
    tree = tree_of(source)
    if chosen != source.licence or by_part:
        # A new licence needs a LICENSE that says so, or the fork fails its own licence step.
        tree, changes = relicensed_tree(
            source, licence=chosen, title=manifest["title"], by_part=by_part
        )
        changelog += " Relicensed: " + "; ".join(changes) + "."
    fork = create_version(
        resource=resource,
        manifest=manifest,
        tree=tree,
        by=by,
        changelog=changelog,
        publish_on_pass=False,
        # The source's files keep their licences (only their rights holders could change
        # them); the chosen licence covers the whole and the forker's contributions.
        parts=licensing.parts.relicensed(source.licence_parts, chosen).to_json(),
    )
    Derivation.objects.create(child=fork, parent=source, kind=Derivation.Kind.FORK)
    return fork
