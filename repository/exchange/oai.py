"""The OAI-PMH 2.0 data provider: the protocol by `oaipmh` (pyoai's maintained fork), the data here.

`oaipmh.server.ServerBase` parses requests, checks arguments, writes the envelope and every
protocol error; `Provider` below answers the six verbs from the database. Items are public
versions: published ones as records, withdrawn ones as deleted records (deletedRecord
"persistent": a withdrawn version stays withdrawn, its page says so for good).

Lists page by keyset, not offset: a resumption token carries the request's own arguments and
the id of the last version sent, so page 1,000 costs what page 1 costs, and a version published
during a harvest cannot shift the pages under the harvester. Tokens use the library's encoding
(`encodeResumptionToken`) because its envelope writer decodes them again to learn the
metadataPrefix of a resumed ListRecords.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Min, Q, QuerySet, TextField
from django.db.models.functions import Cast
from lxml import etree
from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import ServerBase, decodeResumptionToken, encodeResumptionToken

from repository.exchange import lom
from repository.exchange.records import (
    NOT_XML,
    Record,
    kind_filter,
    public_versions,
    records,
    subjects_in_use,
)
from repository.models import Institution, Resource, Version

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
KINDS = {
    "tool": "Learning tools",
    "scenario": "Simulation scenarios",
    "notebook": "Jupyter notebooks",
    "collection": "Collections",
}
VERBS = {
    "Identify",
    "ListMetadataFormats",
    "ListSets",
    "ListIdentifiers",
    "ListRecords",
    "GetRecord",
}
LOCAL_ID = re.compile(r"^(?P<institution>[-\w]+)/(?P<resource>[-\w]+)/v(?P<number>[0-9]+)$")


def repository_identifier() -> str:
    """The namespace part of item identifiers, `oai:<this>:<institution>/<resource>/v<n>`."""
    return str(settings.OAI_REPOSITORY_IDENTIFIER or urlsplit(settings.SITE_URL).hostname)


def oai_identifier(institution: str, resource: str, number: int) -> str:
    return f"oai:{repository_identifier()}:{institution}/{resource}/v{number}"


def identifier_of(record: Record) -> str:
    path = urlsplit(record.url).path.strip("/").split("/")  # i/<institution>/<resource>/v<n>
    return f"oai:{repository_identifier()}:{'/'.join(path[1:4])}"


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def aware_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


class LazyIdentify(common.Identify):
    """Identify facts; the earliest datestamp is looked up only when the Identify verb asks.

    The library calls `identify()` for the base URL of every response it writes.
    """

    def earliestDatestamp(self) -> datetime:
        earliest = public_versions().aggregate(first=Min("datestamp"))["first"]
        return naive_utc(earliest) if earliest else datetime(2000, 1, 1)


class Provider(common.ResumptionOAIPMH):
    """Answers the six verbs from public versions (the library's ResumptionOAIPMH interface)."""

    def identify(self) -> common.Identify:
        return LazyIdentify(
            repositoryName=settings.OAI_REPOSITORY_NAME,
            baseURL=settings.SITE_URL.rstrip("/") + "/oai/",
            protocolVersion="2.0",
            adminEmails=settings.OAI_ADMIN_EMAILS,
            earliestDatestamp=None,
            deletedRecord="persistent",
            granularity=GRANULARITY,
            compression=["identity"],
            toolkit_description=False,
        )

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        if identifier is not None:
            self.version_for(identifier)  # idDoesNotExist for an unknown identifier
        return [(prefix, schema, namespace) for prefix, (schema, namespace, _) in FORMATS.items()]

    def listSets(self, resumptionToken: str | None = None) -> tuple[list[Any], None]:
        if resumptionToken is not None:
            raise error.BadResumptionTokenError(
                "The list of sets always comes whole, so no resumption token belongs to it; "
                "ask for ListSets without one."
            )
        sets: list[tuple[str, str, None]] = [
            ("institution", "By institution", None),
            *(
                (f"institution:{slug}", name, None)
                for slug, name in Institution.objects.filter(
                    pk__in=Resource.objects.published().values("institution")
                ).values_list("slug", "name")
            ),
            ("kind", "By kind", None),
            *((f"kind:{kind}", name, None) for kind, name in KINDS.items()),
            ("subject", "By subject", None),
            *((f"subject:{slug}", texts[0], None) for slug, texts in subjects_in_use().items()),
        ]
        return sets, None

    def listIdentifiers(self, **kw: Any) -> tuple[list[common.Header], str | None]:
        page, token = self.page(**kw)
        return [header_of(r) for r in page], token

    def listRecords(self, **kw: Any) -> tuple[list[tuple[Any, ...]], str | None]:
        page, token = self.page(**kw)
        return [(header_of(r), r, None) for r in page], token

    def getRecord(self, identifier: str, metadataPrefix: str) -> tuple[Any, ...]:
        require_format(metadataPrefix)
        version = self.version_for(identifier)
        record = records(public_versions().filter(pk=version.pk))[0]
        return header_of(record), record, None

    def version_for(self, identifier: str) -> Version:
        prefix = f"oai:{repository_identifier()}:"
        match = (
            LOCAL_ID.match(identifier.removeprefix(prefix))
            if identifier.startswith(prefix)
            else None
        )
        version = (
            public_versions()
            .filter(
                resource__institution__slug=match["institution"],
                resource__slug=match["resource"],
                number=int(match["number"]),
            )
            .first()
            if match
            else None
        )
        if version is None:
            raise error.IdDoesNotExistError(
                f"No public version has the identifier {identifier!r}. Identifiers look like "
                f"{oai_identifier('institution', 'resource', 1)!r}; ListIdentifiers lists them all."
            )
        return version

    def page(
        self,
        metadataPrefix: str | None = None,
        set: str | None = None,
        from_: datetime | None = None,
        until: datetime | None = None,
        resumptionToken: str | None = None,
    ) -> tuple[list[Record], str | None]:
        after = 0
        if resumptionToken is not None:
            arguments, after = read_token(resumptionToken)
            metadataPrefix, set, from_, until = (
                arguments["metadataPrefix"],
                arguments.get("set"),
                arguments.get("from_"),
                arguments.get("until"),
            )
        require_format(metadataPrefix or "")
        versions = in_set(public_versions(), set)
        if from_ is not None:
            versions = versions.filter(Q(datestamp__gte=aware_utc(from_)))
        if until is not None:
            # Datestamps are shown to the second, stored finer: "until" takes its whole second.
            # (9999-12-31T23:59:59Z has no next second to compare with.)
            versions = versions.filter(
                Q(datestamp__lte=aware_utc(until).replace(microsecond=999999))
            )
        size = settings.OAI_PAGE_SIZE
        page = records(versions.filter(pk__gt=after)[: size + 1])
        token = None
        if len(page) > size:
            page = page[:size]
            arguments = {"metadataPrefix": metadataPrefix}
            arguments.update(
                {k: v for k, v in (("set", set), ("from_", from_), ("until", until)) if v}
            )
            token = encodeResumptionToken(arguments, page[-1].pk)
        elif resumptionToken is not None:
            token = ""  # the protocol's "list complete": an empty resumptionToken element
        return page, token


FORMATS: dict[str, tuple[str, str, Any]] = {
    "oai_dc": (
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
        lom.write_dc,
    ),
    "oai_lom": (
        "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd",
        lom.LOM_NS,
        lom.write_lom,
    ),
}


def require_format(prefix: str) -> None:
    if prefix not in FORMATS:
        raise error.CannotDisseminateFormatError(
            f"This repository has no metadata format {prefix!r}; it offers "
            f"{' and '.join(FORMATS)} (see ListMetadataFormats)."
        )


def read_token(token: str) -> tuple[dict[str, Any], int]:
    """The arguments and the last id a resumption token carries; badResumptionToken otherwise."""
    try:
        arguments, after = decodeResumptionToken(token)
    except Exception:  # the library raises several kinds for a mangled token
        arguments, after = {}, -1
    known = {"metadataPrefix", "set", "from_", "until"}
    if after < 0 or set(arguments) - known or arguments.get("metadataPrefix") not in FORMATS:
        raise error.BadResumptionTokenError(
            "This resumption token was not issued by this repository or was changed on the "
            "way; start the list again without one."
        )
    return arguments, after


def in_set(versions: QuerySet[Version], spec: str | None) -> QuerySet[Version]:
    """Versions in the set `spec` ("institution:<slug>", "kind:tool", "subject:<slug>", ...)."""
    if spec is None or spec in {"institution", "kind"}:
        return versions
    group, _, value = spec.partition(":")
    if group == "institution" and value:
        if Institution.objects.filter(slug=value).exists():
            return versions.filter(resource__institution__slug=value)
    elif group == "kind" and value in KINDS:
        return kind_filter(versions, value)
    elif group == "subject":
        texts = subjects_in_use() if not value else {value: subjects_in_use().get(value, [])}
        if any(texts.values()):
            wanted = subject_match([t for ts in texts.values() for t in ts])
            return versions.annotate(subjects_text=Cast("resource__subjects", TextField())).filter(
                wanted
            )
    raise error.NoRecordsMatchError(
        f"There is no set {spec!r} with public records in it; ListSets lists the sets."
    )


def subject_match(texts: list[str]) -> Q:
    """Resources whose subjects list holds one of `texts`, on PostgreSQL and SQLite alike.

    Neither backend's JSON containment works on both, so the stored JSON is read as text: a
    JSON string is quoted, so `"maths"` matches the subject maths and not mathematics.
    """
    query = Q()
    for text in texts:
        for encoded in {json.dumps(text), json.dumps(text, ensure_ascii=False)}:
            query |= Q(subjects_text__contains=encoded)
    return query


def header_of(record: Record) -> common.Header:
    return common.Header(
        None, identifier_of(record), naive_utc(record.datestamp), record.set_specs, record.deleted
    )


def registry() -> MetadataRegistry:
    metadata = MetadataRegistry()
    for prefix, (_, _, writer) in FORMATS.items():
        metadata.registerWriter(prefix, writer)
    return metadata


class Server(ServerBase):
    """The data provider: `respond(arguments)` gives the XML of one request."""

    def __init__(self) -> None:
        super().__init__(
            Provider(), registry(), nsmap={"xsi": "http://www.w3.org/2001/XMLSchema-instance"}
        )

    def respond(self, arguments: dict[str, list[str]]) -> bytes:
        """Answer a request whose arguments came as lists (a query string or form body)."""
        repeated = sorted(name for name, values in arguments.items() if len(values) != 1)
        if repeated:
            return self.refuse(
                error.BadArgumentError(
                    f"Each argument may be given once; {', '.join(repeated)} came more than once."
                )
            )
        single = {name: values[0] for name, values in arguments.items()}
        # The response repeats the request's arguments, and XML cannot hold every character.
        unwritable = sorted(name for name, value in single.items() if NOT_XML.search(name + value))
        if unwritable:
            return self.refuse(
                error.BadArgumentError(
                    f"{', '.join(repr(NOT_XML.sub('', n)) for n in unwritable)} held a control "
                    "character; send arguments of printable characters only."
                )
            )
        verb = single.get("verb")
        if verb is not None and verb not in VERBS:  # the library also knows an unofficial verb
            return self.refuse(
                error.BadVerbError(
                    f"{verb!r} is not an OAI-PMH verb; use one of {', '.join(sorted(VERBS))}."
                )
            )
        if "verb" not in single:
            return self.refuse(
                error.BadVerbError(f"No verb was given; use one of {', '.join(sorted(VERBS))}.")
            )
        return bytes(self.handleRequest(single))

    def refuse(self, problem: error.ErrorBase) -> bytes:
        return bytes(self.handleException({}, (type(problem), problem, None)))


def error_codes(response: bytes) -> list[str]:
    """The OAI-PMH error codes in a response (for tests and the benchmark's sanity check)."""
    root = etree.fromstring(response)
    return [e.get("code") for e in root.iterfind("{http://www.openarchives.org/OAI/2.0/}error")]


__all__ = ["Server", "error_codes", "oai_identifier"]
