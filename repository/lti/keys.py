"""Remixbank's own LTI signing keys: RSA pairs, the private half encrypted at rest, a JWKS.

The private key is encrypted with a Fernet key derived from SECRET_KEY, so a database dump
alone does not let anyone sign as Remixbank. Changing SECRET_KEY makes the stored keys
unreadable: rotate (manage.py rotate_lti_key) after changing it.
"""

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.utils import timezone
from jwcrypto.jwk import JWK

from repository.models import LtiToolKey

KEY_BITS = 2048


def fernet() -> Fernet:
    digest = hashlib.sha256(f"remixbank.lti-keys:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def public_jwk(public_pem: str) -> dict[str, Any]:
    """The JWK of a public key, its kid the RFC 7638 thumbprint (as pylti1p3 computes it)."""
    jwk = JWK.from_pem(public_pem.encode("ascii"))
    data: dict[str, Any] = jwk.export_public(as_dict=True)
    data.setdefault("kid", jwk.thumbprint())
    data["alg"] = "RS256"
    data["use"] = "sig"
    return data


def new_key() -> LtiToolKey:
    """Generate a key pair and store it (not yet the signing key until it is the newest active)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return LtiToolKey.objects.create(
        kid=public_jwk(public_pem)["kid"],
        public_pem=public_pem,
        private_pem_encrypted=fernet().encrypt(private_pem).decode("ascii"),
    )


def signing_key() -> LtiToolKey:
    """The newest active key, made on first use."""
    key = LtiToolKey.objects.filter(retired_at=None).first()
    return key if key is not None else new_key()


@lru_cache(maxsize=8)
def _decrypt(kid: str, token: str, secret: str) -> str:
    return fernet().decrypt(token.encode("ascii")).decode("ascii")


def private_pem(key: LtiToolKey) -> str:
    """The key's private half in PEM, decrypted (kept in memory per process, never shown)."""
    return _decrypt(key.kid, key.private_pem_encrypted, settings.SECRET_KEY)


def published_keys() -> list[LtiToolKey]:
    """The keys the JWKS lists: the current one and the one it replaced."""
    current = signing_key()
    previous = LtiToolKey.objects.exclude(retired_at=None).order_by("-retired_at").first()
    return [current, previous] if previous else [current]


def jwks() -> dict[str, list[dict[str, Any]]]:
    return {"keys": [public_jwk(k.public_pem) for k in published_keys()]}


def rotate() -> LtiToolKey:
    """Retire the signing key and make a new one; the retired key stays in the JWKS until the next rotation."""
    LtiToolKey.objects.filter(retired_at=None).update(retired_at=timezone.now())
    return new_key()
