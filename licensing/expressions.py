"""SPDX licence expressions (`MIT OR Apache-2.0`, `GPL-2.0-or-later WITH Classpath-exception-2.0`).

Parsed with the `license-expression` library (nexB/aboutcode), never by hand. What an expression
means for an adaptation:
- `A OR B`: the reuser may choose either licence (SPDX spec 2.3, Annex D.4 "disjunctive"), so an
  adaptation may carry anything either choice allows (the union over the choices);
- `A AND B`: both apply at once (Annex D.4 "conjunctive"), as if A and B were two sources (the
  intersection);
- `A WITH exception`: an exception only adds permissions (e.g. Classpath-exception-2.0: "If you
  modify this library, you may extend this exception to your version of the library, but you are
  not obligated to do so"; GPLv3 §7 lets additional permissions be removed), so the adaptation
  is decided by licence A alone.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import license_expression as le

from licensing.catalogue import (
    DEPRECATED_IDS,
    NO_LICENCE_VALUES,
    License,
    UnknownLicence,
    all_licenses,
    get_license,
    suggestion,
)

# Exceptions from the SPDX License Exceptions list (https://spdx.org/licenses/exceptions-index.html)
# that people meet in learning tools and their libraries.
EXCEPTIONS = (
    "Classpath-exception-2.0",
    "GCC-exception-3.1",
    "GCC-exception-2.0",
    "LLVM-exception",
    "Autoconf-exception-3.0",
    "Bison-exception-2.2",
    "Font-exception-2.0",
    "Linux-syscall-note",
    "OCaml-LGPL-linking-exception",
    "Qt-LGPL-exception-1.1",
    "WxWindows-exception-3.1",
)

_OPERATORS = {"AND", "OR", "WITH"}
_TOKEN = re.compile(r"[^\s()]+")

Choices = frozenset[frozenset[str]]


class BadLicenceExpression(UnknownLicence):
    """A licence expression that does not parse; the message says where and how to fix it."""

    def __init__(self, value: str, message: str) -> None:
        super().__init__(value, message)


def is_expression(value: str) -> bool:
    """True when `value` is more than a single licence id (it has spaces or brackets)."""
    return isinstance(value, str) and any(c in value for c in " ()\t\n")


@cache
def _licensing() -> le.Licensing:
    aliases: dict[str, list[str]] = {}
    for old, new in DEPRECATED_IDS.items():
        if " " not in new:
            aliases.setdefault(new, []).append(old)
    symbols = [
        le.LicenseSymbol(lic.id, aliases=tuple(aliases.get(lic.id, ()))) for lic in all_licenses()
    ]
    symbols += [le.LicenseSymbol(e, is_exception=True) for e in EXCEPTIONS]
    return le.Licensing(symbols)


def _check_ids(value: str) -> None:
    """Every id is spelt exactly as SPDX spells it (the library itself matches in any case)."""
    known = _ids() | set(EXCEPTIONS)
    exceptions = {e.lower(): e for e in EXCEPTIONS}
    previous = ""
    for token in _TOKEN.findall(value):
        if token in EXCEPTIONS and previous.upper() != "WITH":
            raise BadLicenceExpression(
                value,
                f"{token!r} in {value!r} is an exception, not a licence: write it after a "
                f"licence and WITH, for example 'GPL-2.0-or-later WITH {token}'.",
            )
        previous = token
        if token.upper() in _OPERATORS or token in known:
            continue
        if token.upper() in NO_LICENCE_VALUES:
            raise UnknownLicence(token)
        if token.lower() in exceptions:
            raise BadLicenceExpression(
                value,
                f"{token!r} in {value!r} is spelt {exceptions[token.lower()]!r}; write it so.",
            )
        raise UnknownLicence(
            token,
            f"{token!r} in the licence expression {value!r} is not a licence Remixbank knows."
            f"{suggestion(token)} Write each licence as its SPDX id "
            "(https://spdx.org/licenses/), joined by AND, OR or WITH.",
        )


def _where(value: str, position: int) -> str:
    if position < 0 or position >= len(value):
        return "it ends too early (a bracket not closed, or AND/OR with nothing after it)"
    return f"at character {position + 1} ({value[position : position + 12]!r}...)"


@lru_cache(maxsize=4096)
def parse(value: str) -> le.LicenseExpression:
    """Parse an SPDX expression; raise UnknownLicence or BadLicenceExpression saying what to fix."""
    if not isinstance(value, str) or not value.strip():
        raise BadLicenceExpression(
            str(value), "The licence is empty: write its SPDX id, for example 'CC-BY-4.0' or 'MIT'."
        )
    _check_ids(value)
    try:
        parsed = _licensing().parse(value, validate=True, strict=True)
    except le.ExpressionParseError as exc:
        raise BadLicenceExpression(
            value,
            f"The licence expression {value!r} does not parse: {_where(value, exc.position)}. "
            "Join SPDX ids with AND, OR or WITH and close every bracket, for example "
            "'MIT OR Apache-2.0' or '(MIT AND CC-BY-4.0)'.",
        ) from None
    except le.ExpressionError as exc:
        raise BadLicenceExpression(
            value,
            f"The licence expression {value!r} does not parse: {exc}. WITH must join a licence "
            "to an exception, for example 'GPL-2.0-or-later WITH Classpath-exception-2.0'.",
        ) from None
    if parsed is None:
        raise BadLicenceExpression(value, "The licence is empty: write its SPDX id.")
    return parsed


def _choices(node: le.LicenseExpression) -> Choices:
    if isinstance(node, le.LicenseWithExceptionSymbol):
        return frozenset({frozenset({get_license(node.license_symbol.key).id})})
    if isinstance(node, le.LicenseSymbol):
        if node.is_exception:
            raise BadLicenceExpression(
                str(node.key), f"{node.key!r} is an exception: write it after a licence and WITH."
            )
        return frozenset({frozenset({get_license(node.key).id})})
    parts = [_choices(arg) for arg in node.args]
    if isinstance(node, le.OR):
        return frozenset().union(*parts)
    combined: set[frozenset[str]] = {frozenset()}
    for part in parts:
        combined = {have | more for have in combined for more in part}
    return frozenset(combined)


@lru_cache(maxsize=4096)
def choices(value: str) -> Choices:
    """The sets of licences a reuser may choose to follow: one set per way of reading `value`.

    'MIT OR Apache-2.0' -> {{MIT}, {Apache-2.0}}; 'MIT AND CC-BY-4.0' -> {{MIT, CC-BY-4.0}}.
    A plain id is one choice of one licence. Raises UnknownLicence / BadLicenceExpression.
    """
    value = _undeprecated(value)
    if not is_expression(value):
        return frozenset({frozenset({get_license(value).id})})
    return _choices(parse(value))


@lru_cache(maxsize=8192)
def needs_parsing(value: str) -> bool:
    """True when `value` is an expression, or a deprecated id that stands for one."""
    return is_expression(_undeprecated(value))


def _undeprecated(value: str) -> str:
    """A deprecated id that meant a licence with an exception, as that expression."""
    meant = DEPRECATED_IDS.get(value, value) if isinstance(value, str) else value
    return meant if is_expression(meant) else value


def normalise(value: str) -> str:
    """The expression in its current SPDX spelling (deprecated ids replaced), e.g. for storing.

    'GPL-3.0+' -> 'GPL-3.0-or-later'; 'MIT or (Apache-2.0)' -> 'MIT OR Apache-2.0'.
    """
    value = _undeprecated(value)
    if not is_expression(value):
        return get_license(value).id
    rendered: str = parse(value).render("{symbol.key}")
    return rendered


def license_ids(value: str) -> list[str]:
    """Every licence id named in `value`, in the order written, without exceptions."""
    value = _undeprecated(value)
    if not is_expression(value):
        return [get_license(value).id]
    named = set().union(*choices(value))
    written = (get_license(t).id for t in _TOKEN.findall(value) if t in _ids())
    return [i for i in dict.fromkeys(written) if i in named]


def named_licenses(value: str) -> list[License]:
    """The catalogue's facts for each licence `value` names, in the order written."""
    return [get_license(i) for i in license_ids(value)]


@cache
def _ids() -> frozenset[str]:
    return frozenset({lic.id for lic in all_licenses()} | set(DEPRECATED_IDS))


def manifest_license(value: str) -> str:
    """Check a package's `license` value (an SPDX id or expression) and return it normalised.

    Raises UnknownLicence (unknown or misspelt id, NOASSERTION) or BadLicenceExpression (does
    not parse), each with a message for the person who wrote the manifest.
    """
    if not isinstance(value, str):
        raise UnknownLicence(value)
    if not value.strip():
        raise BadLicenceExpression(
            value, "The licence is empty: write its SPDX id, for example 'CC-BY-4.0' or 'MIT'."
        )
    choices(value.strip())  # every id known, every choice resolvable
    return normalise(value.strip())
