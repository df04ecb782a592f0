"""Which licence a work containing software under a given licence may carry, rule by rule.

The arrows run one way, permissive -> weak copyleft -> strong copyleft -> network copyleft, and
only where a licence, the FSF or the ASF says so. Sources:
- FSF: "Various Licenses and Comments about Them", https://www.gnu.org/licenses/license-list.html
  (which licences are compatible with which GPL version), and the GPL/LGPL/AGPL texts themselves.
- ASF: "Apache License v2.0 and GPL Compatibility",
  https://www.apache.org/licenses/GPL-compatibility.html
- MPL 2.0 §1.12 and §3.3 (Secondary Licenses), https://www.mozilla.org/MPL/2.0/
- CC FAQ, "Can I apply a Creative Commons license to software?", https://creativecommons.org/faq/

A cell is GREEN (allowed), YELLOW (allowed, not recommended) or RED (refused, with the reason in
plain words and its source in brackets).
"""

from __future__ import annotations

from licensing.catalogue import License, get_license

GREEN, YELLOW, RED = "G", "Y", "X"

FSF_LIST = "FSF licence list"
ASF = "ASF, 'Apache License v2.0 and GPL Compatibility'"

# Licences whose only condition is keeping the copyright notice and licence text: MIT "The above
# copyright notice and this permission notice shall be included in all copies"; BSD-2/3 clause 1
# and 2; ISC "provided that the above copyright notice and this permission notice appear in all
# copies"; Apache-2.0 §4(a)-(d) (the licence, the NOTICE file, and a note on changed files).
NOTICE_LICENCES = frozenset({"MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC", "Apache-2.0"})
# 0BSD ("Permission to use, copy, modify, and/or distribute this software for any purpose with or
# without fee is hereby granted") and the Unlicense (a public-domain dedication) set no condition.
NO_CONDITION_LICENCES = frozenset({"0BSD", "Unlicense"})

# Apache-2.0 cannot go into a work under GPL/LGPL version 2: FSF: Apache 2.0 "is compatible with
# GPL version 3 ... [but] incompatible with GPL version 2, because it has some requirements that
# are not in that GPL version" (patent termination and indemnification); ASF: "this licensing
# incompatibility applies only when some Apache project software becomes a derivative work of
# some GPLv3 software" ... "we believe it is not compatible with GPLv2". LGPL-2.1 §10 and GPLv2 §6
# forbid "any further restrictions". An "or later" work still lets recipients choose version 2,
# so it cannot carry Apache code either.
_APACHE_REFUSED = frozenset(
    {"GPL-2.0-only", "GPL-2.0-or-later", "LGPL-2.1-only", "LGPL-2.1-or-later"}
)

_GPL3 = "GPLv3 §13: a GPLv3 work 'combined with a work licensed under version 3 of the GNU Affero General Public License' is conveyed with the AGPL's network clause applying 'to the combination as such'"

# Copyleft sources: the licences an adaptation (a changed version, or a work that includes it)
# may carry, each with its rule. Anything not listed is refused.
COPYLEFT_TARGETS: dict[str, dict[str, str]] = {
    # MPL 2.0 §3.3: "if the Larger Work is a combination of Covered Software with a work governed
    # by one or more Secondary Licenses ... this License permits You to additionally distribute
    # such Covered Software under the terms of such Secondary License(s)"; §1.12: Secondary
    # License "means either the GNU General Public License, Version 2.0, the GNU Lesser General
    # Public License, Version 2.1, the GNU Affero General Public License, Version 3.0, or any
    # later versions of those licenses". (Not for code marked "Incompatible With Secondary
    # Licenses", Exhibit B: such code may only be adapted under MPL-2.0.)
    "MPL-2.0": {
        "MPL-2.0": "MPL 2.0 §3.1",
        **{
            target: "MPL 2.0 §3.3, Secondary Licenses"
            for target in (
                "LGPL-2.1-only",
                "LGPL-2.1-or-later",
                "LGPL-3.0-only",
                "LGPL-3.0-or-later",
                "GPL-2.0-only",
                "GPL-2.0-or-later",
                "GPL-3.0-only",
                "GPL-3.0-or-later",
                "AGPL-3.0-only",
                "AGPL-3.0-or-later",
            )
        },
    },
    # LGPL-2.1 §3: "You may opt to apply the terms of the ordinary GNU General Public License
    # instead of this License to a given copy of the Library ... version 2, instead of to this
    # License. (If a newer version than version 2 of the ordinary GNU GPL has appeared, then you
    # can specify that version instead if you wish.)"
    "LGPL-2.1-only": {
        "LGPL-2.1-only": "LGPL-2.1 §2",
        "GPL-2.0-only": "LGPL-2.1 §3",
        "GPL-3.0-only": "LGPL-2.1 §3",
        "AGPL-3.0-only": f"LGPL-2.1 §3, then {_GPL3}",
    },
    # "or later" (LGPL-2.1 §13) adds the later LGPL versions and the "or later" GPLs.
    "LGPL-2.1-or-later": {
        "LGPL-2.1-or-later": "LGPL-2.1 §2",
        "LGPL-2.1-only": "LGPL-2.1 §13: any version the licence names",
        "LGPL-3.0-only": "LGPL-2.1 §13",
        "LGPL-3.0-or-later": "LGPL-2.1 §13",
        "GPL-2.0-only": "LGPL-2.1 §3",
        "GPL-2.0-or-later": "LGPL-2.1 §3",
        "GPL-3.0-only": "LGPL-2.1 §3",
        "GPL-3.0-or-later": "LGPL-2.1 §3",
        "AGPL-3.0-only": f"LGPL-2.1 §3, then {_GPL3}",
        "AGPL-3.0-or-later": f"LGPL-2.1 §3, then {_GPL3}",
    },
    # LGPL-3.0 is "the GNU GPL version 3, supplemented by the additional permissions listed
    # below" (LGPLv3 preamble); GPLv3 §7: "When you convey a copy of a covered work, you may at
    # your option remove any additional permissions from that copy".
    "LGPL-3.0-only": {
        "LGPL-3.0-only": "LGPLv3 §2",
        "GPL-3.0-only": "LGPLv3 preamble and GPLv3 §7",
        "AGPL-3.0-only": f"LGPLv3 and GPLv3 §7, then {_GPL3}",
    },
    "LGPL-3.0-or-later": {
        "LGPL-3.0-or-later": "LGPLv3 §2",
        "LGPL-3.0-only": "LGPLv3 §6: any version the licence names",
        "GPL-3.0-only": "LGPLv3 preamble and GPLv3 §7",
        "GPL-3.0-or-later": "LGPLv3 preamble and GPLv3 §7",
        "AGPL-3.0-only": f"LGPLv3 and GPLv3 §7, then {_GPL3}",
        "AGPL-3.0-or-later": f"LGPLv3 and GPLv3 §7, then {_GPL3}",
    },
    # FSF: "GPLv2 is not compatible with GPLv3 ... if you include code under GPLv2-only, you
    # cannot release under GPLv3". GPLv2 §2(b): the work as a whole "licensed as a whole ...
    # under the terms of this License".
    "GPL-2.0-only": {"GPL-2.0-only": "GPLv2 §2(b)"},
    # GPLv2 §9: "If the Program specifies a version number of this License which applies to it
    # and 'any later version', you have the option of following the terms and conditions either
    # of that version or of any later version".
    "GPL-2.0-or-later": {
        "GPL-2.0-or-later": "GPLv2 §2(b)",
        "GPL-2.0-only": "GPLv2 §9",
        "GPL-3.0-only": "GPLv2 §9",
        "GPL-3.0-or-later": "GPLv2 §9",
        "AGPL-3.0-only": f"GPLv2 §9, then {_GPL3}",
        "AGPL-3.0-or-later": f"GPLv2 §9, then {_GPL3}",
    },
    # GPLv3 §5(c): the work as a whole under this License; §13 for the AGPL; §14 for "or later".
    "GPL-3.0-only": {"GPL-3.0-only": "GPLv3 §5(c)", "AGPL-3.0-only": _GPL3},
    "GPL-3.0-or-later": {
        "GPL-3.0-or-later": "GPLv3 §5(c)",
        "GPL-3.0-only": "GPLv3 §14: any version the licence names",
        "AGPL-3.0-only": _GPL3,
        "AGPL-3.0-or-later": _GPL3,
    },
    # AGPLv3 §5(c) and §13: the combination stays under the AGPL (its network clause); §14.
    "AGPL-3.0-only": {"AGPL-3.0-only": "AGPLv3 §5(c)"},
    "AGPL-3.0-or-later": {
        "AGPL-3.0-or-later": "AGPLv3 §5(c)",
        "AGPL-3.0-only": "AGPLv3 §14: any version the licence names",
    },
}

_CC_FOR_SOFTWARE = (
    "Creative Commons recommends against its licences for software, which do not cover source "
    "code or patents (CC FAQ, 'Can I apply a Creative Commons license to software?')"
)


def requirement(source: License) -> str:
    """What a software licence demands of the licence of a work that includes it, in words."""
    if source.id in NO_CONDITION_LICENCES:
        return "any licence"
    if source.id == "Apache-2.0":
        return "any licence that keeps its notices, except the GPL and LGPL version 2"
    if source.id in NOTICE_LICENCES:
        return "any licence that keeps its notice"
    return " or ".join(get_license(t).short_name for t in COPYLEFT_TARGETS[source.id])


def verdict(source: License, candidate: License) -> tuple[str, str]:
    """Decide whether software under `source` may go into a work licensed `candidate`."""
    if source.permissive:
        return _permissive(source, candidate)
    targets = COPYLEFT_TARGETS[source.id]
    if candidate.id in targets:
        return GREEN, ""
    return RED, _copyleft_refusal(source, candidate)


def _permissive(source: License, candidate: License) -> tuple[str, str]:
    # Permissive code may go into a work under any licence that does not forbid keeping its
    # notice: MIT grants the right "to ... sublicense", BSD/ISC permit redistribution "with or
    # without modification" on the notice condition alone, and Apache-2.0 §4 lets you "provide
    # additional or different license terms and conditions ... for any such Derivative Works as
    # a whole, provided Your use ... otherwise complies with the conditions stated in this
    # License". No CC licence forbids keeping a notice, so CC licences are allowed too; only
    # the GPL/LGPL version 2 forbid Apache-2.0's extra conditions.
    if source.id == "Apache-2.0" and candidate.id in _APACHE_REFUSED:
        return RED, (
            f"Apache 2.0 code cannot go into a work under {candidate.short_name}: GPL and LGPL "
            "version 2 forbid adding conditions, and Apache 2.0 adds patent and indemnity "
            f"conditions ({FSF_LIST}; {ASF}). Choose GPL or LGPL version 3 instead."
        )
    if not candidate.is_software:
        return YELLOW, (
            f"{candidate.short_name} is allowed, but {_CC_FOR_SOFTWARE}; "
            f"the {source.short_name} code inside keeps its own licence"
            + (" and notice." if source.id in NOTICE_LICENCES else ".")
        )
    if source.id in NOTICE_LICENCES and candidate.id in NO_CONDITION_LICENCES:
        # MIT/BSD/ISC/Apache allow sublicensing, but their notice condition survives in the copy.
        return YELLOW, (
            f"{candidate.short_name} is allowed for your own changes, but the "
            f"{source.short_name} code inside still needs its copyright notice and licence text "
            "kept with it."
        )
    return GREEN, ""


def _copyleft_refusal(source: License, candidate: License) -> str:
    rule = f"{source.short_name} is {source.copyleft}: a work that includes it must carry {requirement(source)}"
    if candidate.permissive:
        why = "copyleft code never becomes permissive"
    elif not candidate.is_software:
        # CC wiki "ShareAlike compatibility: GPLv3": "People may *not* adapt a GPLv3-licensed
        # work and use BY-SA"; no CC licence is declared compatible with any other GNU licence.
        why = (
            f"{candidate.short_name} is not one of them: compatibility between Creative Commons "
            "and the GNU licences is one-way, from CC BY-SA 4.0 to GPLv3 (CC wiki, 'ShareAlike "
            "compatibility: GPLv3')"
        )
    elif source.id == "GPL-2.0-only" and candidate.version_key >= (3,):
        why = f"version 2 only does not allow moving to version 3 ({FSF_LIST}: GPLv2 and GPLv3 are not compatible)"
    elif candidate.weak_copyleft and not source.weak_copyleft:
        why = "a weaker copyleft would let recipients do what the source forbids"
    else:
        why = f"{candidate.short_name} is not one of them ({FSF_LIST})"
    return f"{rule}; {why}."
