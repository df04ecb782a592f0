"""The licences a derived work may carry, laid out for a person choosing one.

The recommended licence first, the few other recommended ones beside it, the permitted but not
recommended ones folded into groups that share a reason, and the current licences that are not
offered, also grouped by reason, so one rule is said once however many licences it rules out.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import licensing
import licensing.parts

#: A reason and the licences it applies to, in catalogue order.
ReasonGroup = tuple[str, list[licensing.License]]


@dataclass(frozen=True)
class LicenceChoices:
    recommended: licensing.LicenseOption | None
    alternatives: list[licensing.LicenseOption] = field(default_factory=list)
    permitted: list[ReasonGroup] = field(default_factory=list)
    refused: list[ReasonGroup] = field(default_factory=list)

    @property
    def permitted_count(self) -> int:
        return sum(len(group) for _, group in self.permitted)

    def form_choices(self) -> list[tuple[str, object]]:
        """Choices for a form's select: the recommended ones, then the rest in one group."""
        best = [self.recommended] if self.recommended else []
        choices: list[tuple[str, object]] = [
            (
                o.license.id,
                o.license.short_name + (" (recommended)" if o is self.recommended else ""),
            )
            for o in [*best, *self.alternatives]
        ]
        rest = [(lic.id, lic.short_name) for _, group in self.permitted for lic in group]
        if rest:
            choices.append(("Also permitted, not recommended", rest))
        return choices


def licence_choices(sources: Sequence[str], *, for_code: bool = False) -> LicenceChoices:
    """Lay out the licences an adaptation of works under `sources` may carry.

    The licences said to be missing are the current CC ones, or for code (`for_code`) the
    software licences, so each missing option a person would look for is explained.
    """
    options = licensing.adaptation_options(sources)
    recommended = [o for o in options if o.recommended]
    offered = {o.license.id for o in options}
    refused = [
        (lic, licensing.explain(sources, lic.id))
        for lic in licensing.all_licenses()
        if (lic.is_software if for_code else lic.version == "4.0" and lic.port is None)
        and lic.id not in offered
    ]
    return LicenceChoices(
        recommended=recommended[0] if recommended else None,
        alternatives=recommended[1:],
        permitted=grouped([(o.license, o.note) for o in options if not o.recommended]),
        refused=grouped(refused),
    )


def grouped(reasons: Sequence[tuple[licensing.License, str]]) -> list[ReasonGroup]:
    """Group licences whose reasons say the same thing once their own name is taken out."""
    groups: dict[str, list[licensing.License]] = {}
    for lic, reason in reasons:
        groups.setdefault(generic(reason, lic), []).append(lic)
    return list(groups.items())


def generic(reason: str, lic: licensing.License) -> str:
    """The reason with the licence's own name replaced by "it" (capitalised after a stop)."""
    text = reason.replace(lic.short_name, "it").strip() or "No reason given."
    text = text.replace(". it ", ". It ")
    return text[0].upper() + text[1:]


#: How a part of a package is named for people: code goes with code, the rest is content.
CODE = licensing.parts.CODE
CONTENT = licensing.parts.CONTENT


@dataclass(frozen=True)
class PartChoice:
    """The licences one part (code or content) of an adaptation may carry, and why not others."""

    part: str
    sources: list[str]
    choices: LicenceChoices


@dataclass(frozen=True)
class PartChoices:
    """Per part: code with code, content with content; components keep their own terms."""

    parts: list[PartChoice]
    components: list[tuple[str, str]]  # (name, licence), kept as they are

    @property
    def is_mixed(self) -> bool:
        """Whether the parts differ at all: code and content under one licence are not a mix."""
        licences = {licence for part in self.parts for licence in part.sources}
        return len(licences) > 1 or bool(self.components)


def part_choices(sources: Sequence[licensing.parts.PackageParts]) -> PartChoices:
    """Decide, for the parts of the works an adaptation is made from, what each part may carry.

    Code is adapted with code and content with content (a CC licence for code, or a software
    licence for text and images, is what neither CC nor the FSF recommends), so each part's
    licences are weighed only against each other; third-party components are not adapted at
    all and keep their own licences (their licence files travel with them).
    """
    components: dict[tuple[str, str], None] = {}
    for package in sources:
        components.update(dict.fromkeys((c.name, c.license) for c in package.components))
    return PartChoices(
        parts=[
            PartChoice(name, found, licence_choices(found, for_code=name == CODE))
            for name, found in licensing.parts.licences_by_part(sources).items()
        ],
        components=list(components),
    )
