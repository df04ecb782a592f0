"""Institutional sign-in: each institution's identity providers and the identities they vouch for."""

from django.conf import settings
from django.db import models

from repository.models.institutions import Institution


class OidcProvider(models.Model):
    """An institution's OpenID Connect provider, set by its admin on the manage page."""

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="oidc_provider"
    )
    # The provider's issuer exactly as its discovery document and id_tokens state it.
    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=255)
    client_secret = models.CharField(max_length=500)
    # Which signed-in people become staff or students: by their e-mail's domain, or by the
    # values of one claim (`groups`, `roles`, ...). Nobody else is let in.
    staff_domains = models.JSONField(default=list, blank=True)
    student_domains = models.JSONField(default=list, blank=True)
    role_claim = models.CharField(max_length=100, blank=True)
    staff_values = models.JSONField(default=list, blank=True)
    student_values = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"OpenID Connect for {self.institution}: {self.issuer}"


class SamlProvider(models.Model):
    """An institution's SAML 2.0 identity provider, found in signed federation metadata."""

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="saml_provider"
    )
    entity_id = models.CharField(max_length=500)
    # The federation's metadata feed (or the IdP's own metadata) and the certificate that must
    # have signed it; metadata_xml holds an uploaded file instead of a feed.
    metadata_url = models.URLField(max_length=500, blank=True)
    metadata_xml = models.TextField(blank=True)
    metadata_certificate = models.TextField()
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"SAML for {self.institution}: {self.entity_id}"


class ExternalIdentity(models.Model):
    """A person as an identity provider knows them: the stable key, never their e-mail."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="external_identities"
    )
    protocol = models.CharField(max_length=8, choices=Protocol.choices)
    # The OIDC issuer or the SAML IdP's entity id, and `sub` or the pairwise/targeted id in it.
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_identity_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class SignInProblem(models.Model):
    """A refused institutional sign-in, kept for the institution's admins to read."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="sign_in_problems"
    )
    protocol = models.CharField(max_length=8, choices=ExternalIdentity.Protocol.choices)
    message = models.TextField()
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.protocol}: {self.message}"
