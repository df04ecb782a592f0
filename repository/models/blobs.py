"""Content-addressed file storage: one row per distinct file content, keyed by its SHA-256."""

from django.db import models
from django.utils import timezone


class Blob(models.Model):
    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When a deposit or a validation run last stored or found these bytes; `collect_blobs`
    # leaves alone any blob seen within its grace period, referenced or not yet.
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=0), name="blob_size_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.size} bytes)"

    @property
    def storage_name(self) -> str:
        return storage_name(self.sha256)


def storage_name(sha256: str) -> str:
    """Where a blob lives in the blob storage: fanned out so no folder grows huge."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
