"""Derivations: the lineage edges between a version and the versions it was made from."""

from django.db import models
from django.db.models import F, Q

from repository.models.versions import Version


class Derivation(models.Model):
    class Kind(models.TextChoices):
        FORK = "fork", "Fork"
        REMIX = "remix", "Remix"
        MERGE = "merge", "Merge"

    child = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="parent_edges")
    parent = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="child_edges")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["child", "parent"], name="derivation_once"),
            models.CheckConstraint(condition=~Q(child=F("parent")), name="derivation_not_self"),
            models.CheckConstraint(
                condition=Q(kind__in=["fork", "remix", "merge"]), name="derivation_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.kind} of {self.parent}"
