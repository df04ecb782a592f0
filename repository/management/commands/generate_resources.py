"""`manage.py generate_resources --count N`: N published resources in 50 institutions, for benchmarks."""

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Generate N published resources (one version each) in 50 synthetic institutions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100_000)

    def handle(self, *args: object, count: int, **options: object) -> None:
        fill(count)
        self.stdout.write(f"{count} published resources.")


def fill(count: int) -> None:
    from django.db import connection

    from repository.models import Institution, Resource, Version

    words = ["solar", "tracker", "fraction", "wave", "orbit", "cell", "market", "circuit"]
    institutions = Institution.objects.bulk_create(
        [Institution(slug=f"inst-{i}", name=f"Institution {i}") for i in range(50)]
    )
    resources = Resource.objects.bulk_create(
        [
            Resource(
                institution=institutions[n % 50],
                slug=f"resource-{n}",
                kind="tool" if n % 3 else "scenario",
                title=f"{words[n % 8].title()} lab {n}",
                summary=f"Explore {words[(n * 7) % 8]} and {words[(n * 5) % 8]} " * 8,
                subjects=["physics"],
                level="secondary",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    versions = Version.objects.bulk_create(
        [
            Version(
                resource=r, number=1, licence="CC-BY-SA-4.0", authors=["A"], manifest={},
                state="published",
            )
            for r in resources
        ],
        batch_size=2000,
    )  # fmt: skip
    for r, v in zip(resources, versions, strict=True):
        r.latest_published = v
    Resource.objects.bulk_update(resources, ["latest_published"], batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
