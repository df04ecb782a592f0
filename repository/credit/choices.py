"""The licences a derived work may carry, laid out for a person choosing one.

The recommended licence first, the few other recommended ones beside it, the permitted but not
recommended ones folded into groups that share a reason, and the current licences that are not
offered, also grouped by reason, so one rule is said once however many licences it rules out.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import licensing

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


def licence_choices(sources: Sequence[str]) -> LicenceChoices:
    """Lay out the licences an adaptation of works under `sources` may carry."""
    options = licensing.adaptation_options(sources)
    recommended = [o for o in options if o.recommended]
    offered = {o.license.id for o in options}
    refused = [
        (lic, licensing.explain(sources, lic.id))
        for lic in licensing.all_licenses()
        if lic.version == "4.0" and lic.port is None and lic.id not in offered
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
