"""/sitemap.xml: every published resource and every published version, for search engines."""

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from repository.models import Resource, Version


class ResourceSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 10000

    def items(self) -> QuerySet[Resource]:
        return (
            Resource.objects.visible_to(None)
            .select_related("institution", "latest_published")
            .order_by("pk")
        )

    def lastmod(self, item: Resource) -> datetime | None:
        latest = item.latest_published
        return latest.published_at if latest else None


class VersionSitemap(Sitemap):
    changefreq = "never"  # a version is immutable; its address is kept forever
    priority = 0.5
    limit = 10000

    def items(self) -> QuerySet[Version]:
        # Withdrawn versions keep their pages but are not advertised.
        return (
            Version.objects.visible_to(None)
            .filter(state=Version.State.PUBLISHED)
            .select_related("resource__institution")
            .order_by("pk")
        )

    def lastmod(self, item: Version) -> datetime | None:
        return item.published_at


SITEMAPS = {"resources": ResourceSitemap, "versions": VersionSitemap}
