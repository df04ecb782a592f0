"""How remixes and collections were assembled: which source paths went where, and which works."""

from django.db import models

from repository.models.versions import Version


class RemixPick(models.Model):
    """A file or folder of `source` placed at `target` in the remix `version`.

    Kept so an upstream update of a source can be mapped into the remix's own layout
    (repository/actions/upstream.py); a fork needs none (its layout is the source's).
    `path` "" means the source's whole tree; a path ending in "/" is a folder.
    """

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="remix_picks")
    source = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=1024, blank=True)
    target = models.CharField(max_length=1024, blank=True)

    class Meta:
        ordering = ["version", "pk"]

    def __str__(self) -> str:
        return f"{self.source}:{self.path or '/'} → {self.target or '/'}"


class CollectionItem(models.Model):
    """An unmodified work included in a collection version, under its own folder.

    Not a Derivation: a collection is not an adaptation (see repository/actions/remixes.py
    `collect_versions`), so the adaptation rules of the licence check must not apply to it.
    """

    collection = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="collected_in")
    folder = models.CharField(max_length=200)

    class Meta:
        ordering = ["collection", "folder"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "item"], name="collection_item_once"),
            models.UniqueConstraint(
                fields=["collection", "folder"], name="collection_folder_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(collection=models.F("item")), name="collection_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} in {self.collection}"
