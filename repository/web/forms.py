"""Forms of the web interface."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.db.models import Q

from repository.access import drafts_of
from repository.models import Institution, Membership, Resource


def model_choice(field: forms.Field) -> forms.ModelChoiceField:
    """A form's field by name is typed as any Field; these name the kind the form declared."""
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{field!r} is not a ModelChoiceField")
    return field


def choice(field: forms.Field) -> forms.ChoiceField:
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{field!r} is not a ChoiceField")
    return field


class SignUpForm(UserCreationForm):
    email = forms.EmailField(help_text="Use your institution's address to join it directly.")
    name = forms.CharField(max_length=150, label="Your name")

    class Meta:
        model = get_user_model()
        fields = ["email", "name"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if get_user_model().objects.filter(username=email).exists():
            raise forms.ValidationError("An account with this address exists; sign in instead.")
        return email

    # No save(): the account is made by repository.actions.people.sign_up, the one door for writes.


class DepositForm(forms.Form):
    institution = forms.ModelChoiceField(queryset=Institution.objects.none())
    resource = forms.ModelChoiceField(
        queryset=Resource.objects.none(),
        required=False,
        empty_label="A new resource",
        help_text="Choose an existing resource to add a new version to it.",
    )
    package = forms.FileField(
        help_text=(
            "A .zip with remixbank.json at its root (see the manifest schema), an H5P file "
            "(.h5p), a SCORM 1.2 or 2004 package (a .zip with imsmanifest.xml), a Common "
            "Cartridge (.imscc) with its web content, or a Jupyter notebook (.ipynb, alone or "
            "zipped with its data files)."
        )
    )
    changelog = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    publish_on_pass = forms.BooleanField(
        required=False, initial=True, label="Publish automatically when validation passes"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        staff_of = Institution.objects.where(user)
        drafts = drafts_of(user)
        model_choice(self.fields["resource"]).queryset = Resource.objects.filter(
            Q(institution__in=staff_of) | Q(pk__in=drafts.values("pk"))
        )
        if staff_of.exists():
            model_choice(self.fields["institution"]).queryset = Institution.objects.filter(
                Q(pk__in=staff_of.values("pk")) | Q(pk__in=drafts.values("institution"))
            )
            return
        # Someone who is staff nowhere adds versions to their own drafts only, and staff
        # publish them: the draft names the institution, and there is nothing to publish.
        del self.fields["institution"]
        del self.fields["publish_on_pass"]
        drafts_field = model_choice(self.fields["resource"])
        drafts_field.required = True
        drafts_field.empty_label = None
        drafts_field.label = "Your draft"
        drafts_field.help_text = "Staff of its institution publish it once it passes validation."

    def institution_of(self) -> Institution:
        if "institution" in self.fields:
            return self.cleaned_data["institution"]
        return self.cleaned_data["resource"].institution


class ForkForm(forms.Form):
    institution = forms.ModelChoiceField(queryset=Institution.objects.none())
    licence = forms.ChoiceField(label="Licence of your fork")
    title = forms.CharField(max_length=200, required=False)

    #: Where the source mixes licences: a licence for the forker's changes to each part.
    PART_FIELDS = {"code": "code_licence", "content": "content_licence"}

    def __init__(self, *args, user, licence_choices, part_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        for part in part_choices.parts if part_choices and part_choices.is_mixed else []:
            self.fields[self.PART_FIELDS[part.part]] = forms.ChoiceField(
                label=f"Licence of your changes to the {part.part}",
                required=False,
                choices=[("", "The fork's licence"), *part.choices.form_choices()],
                help_text=f"The {part.part} is under {', '.join(part.sources)} now.",
            )
        institutions = model_choice(self.fields["institution"])
        institutions.queryset = Institution.objects.filter(memberships__user=user)
        mine = list(institutions.queryset[:2])
        if len(mine) == 1:  # the only place they may fork into: chosen already
            institutions.initial = mine[0].pk
            institutions.empty_label = None
        choice(self.fields["licence"]).choices = licence_choices

    def part_licences(self) -> dict[str, str]:
        """The per-part licences chosen (cleaned), leaving out parts left to the fork's."""
        return {
            part: self.cleaned_data[name]
            for part, name in self.PART_FIELDS.items()
            if self.cleaned_data.get(name)
        }


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.STUDENT)
