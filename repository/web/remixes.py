"""Pages for remixing several versions into a new work, or collecting them side by side."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

import licensing
from repository.actions.remixes import Pick, collect_versions, remix_versions
from repository.credit.choices import LicenceChoices, licence_choices
from repository.errors import DomainError
from repository.models import Institution, Resource, Version
from repository.web.forms import choice, model_choice
from repository.web.lookups import signed_in_user

MAX_SOURCES = 6


def choices_for(version: Version) -> list[tuple[str, str]]:
    """Every folder (ending in "/") and file of a version, for picking."""
    paths = list(version.files.values_list("path", flat=True))
    folders = sorted({p.rsplit("/", 1)[0] + "/" for p in paths if "/" in p})
    return [("", "Everything")] + [(f, f) for f in folders] + [(p, p) for p in paths]


class RemixForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            ("remix", "Remix: one new work made from the files I pick"),
            ("collection", "Collection: the works unmodified, side by side"),
        ],
        widget=forms.RadioSelect,
        initial="remix",
    )
    institution = forms.ModelChoiceField(queryset=Institution.objects.none())
    title = forms.CharField(max_length=200)
    licence = forms.ChoiceField(label="Licence of the new work", required=False)
    kind = forms.ChoiceField(choices=Resource.Kind.choices, initial=Resource.Kind.TOOL)
    entry_point = forms.CharField(initial="index.html", help_text="For a remix: the file to open.")
    new_path = forms.CharField(required=False, label="Add a text file at this path")
    new_content = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), label="Its content"
    )

    def __init__(self, *args, user, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = sources
        model_choice(self.fields["institution"]).queryset = Institution.objects.filter(
            memberships__user=user
        )
        choices = licence_choices([s.licence for s in sources]).form_choices() if sources else []
        choice(self.fields["licence"]).choices = [("", "Recommended"), *choices]
        for n, source in enumerate(sources):
            self.fields[f"pick_{n}"] = forms.MultipleChoiceField(
                choices=choices_for(source),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=f"From {source.resource.title} v{source.number} "
                f"({source.resource.institution.name}, {source.licence})",
            )
            self.fields[f"to_{n}"] = forms.CharField(
                required=False,
                initial="",
                label=f"Place the files from {source.resource.title} under (folder/ or file path)",
            )

    def picks(self) -> list[Pick]:
        data = self.cleaned_data
        return [
            Pick(source, path, data.get(f"to_{n}", ""))
            for n, source in enumerate(self.sources)
            for path in data.get(f"pick_{n}", [])
        ]


def parse_sources(request: HttpRequest) -> list[Version]:
    raw = request.GET.get("sources", "")
    ids = [int(x) for x in raw.split(",") if x.strip().isdigit()][:MAX_SOURCES]
    found = Version.objects.visible_to(request.user).select_related("resource__institution")
    by_id = {v.pk: v for v in found.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


@login_required
def remix(request: HttpRequest) -> HttpResponse:
    sources = parse_sources(request)
    form = RemixForm(request.POST or None, user=request.user, sources=sources)
    if request.method == "POST" and form.is_valid():
        try:
            version = make(form, request)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Made. The new version is being validated.")
            return redirect(version)
    ids = [s.pk for s in sources]
    context: dict[str, Any] = {
        "form": form,
        "sources": [
            {"version": s, "remove": ",".join(str(i) for i in ids if i != s.pk)} for s in sources
        ],
        "source_ids": ",".join(str(i) for i in ids),
        "refusal": refusal(sources),
        "licence_preview": licence_preview(sources),
        "query": request.GET.get("q", "").strip()[:200],
        "candidates": candidates(request, sources),
        "pick_fields": [(form[f"pick_{n}"], form[f"to_{n}"], s) for n, s in enumerate(sources)],
        "other_fields": [
            form[name]
            for name in ("mode", "institution", "title", "licence", "kind", "entry_point")
        ],
        "new_file_fields": [form["new_path"], form["new_content"]],
    }
    return render(request, "repository/remix.html", context)


def candidates(request: HttpRequest, sources: list[Version]) -> list[dict[str, Any]]:
    """Versions matching the search box, each with the sources list it would add itself to."""
    query = request.GET.get("q", "").strip()[:200]
    if not query or len(sources) >= MAX_SOURCES:
        return []
    ids = [s.pk for s in sources]
    found = (
        Version.objects.visible_to(request.user)
        .filter(resource__title__icontains=query)
        .exclude(pk__in=ids)
        .select_related("resource__institution")
        .order_by("resource__title", "-number")[:20]
    )
    licences = [s.licence for s in sources]
    return [
        {
            "version": v,
            "add": ",".join(str(i) for i in [*ids, v.pk]),
            "combinable": bool(licensing.allowed_adaptation_licenses([*licences, v.licence]))
            if licences
            else True,
        }
        for v in found
    ]


def licence_preview(sources: list[Version]) -> LicenceChoices | None:
    """The licences a remix of `sources` may carry, and why each other current one may not."""
    return licence_choices([s.licence for s in sources]) if sources else None


def refusal(sources: list[Version]) -> str:
    if len(sources) < 2 or licensing.allowed_adaptation_licenses([s.licence for s in sources]):
        return ""
    return licensing.explain_refusal(
        [s.licence for s in sources], names=[s.resource.title for s in sources]
    )


def make(form: RemixForm, request: HttpRequest) -> Version:
    data = form.cleaned_data
    if data["mode"] == "collection":
        return collect_versions(
            sources=form.sources,
            into=data["institution"],
            by=signed_in_user(request),
            title=data["title"],
            licence=data["licence"] or None,
        )
    files = {}
    if data["new_path"]:
        files[data["new_path"]] = data["new_content"].replace("\r\n", "\n").encode("utf-8")
    return remix_versions(
        picks=form.picks(),
        files=files,
        into=data["institution"],
        by=signed_in_user(request),
        title=data["title"],
        entry_point=data["entry_point"],
        licence=data["licence"] or None,
        kind=data["kind"],
    )
