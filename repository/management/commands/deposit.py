"""`manage.py deposit PACKAGE.zip --institution SLUG --user EMAIL`: deposit from the command line."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from repository.actions.deposits import deposit_package
from repository.errors import DomainError
from repository.models import Institution, Resource


class Command(BaseCommand):
    help = "Deposit a zip package as a new version; prints the version's address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package", type=Path)
        parser.add_argument("--institution", required=True, help="slug of the institution")
        parser.add_argument("--user", required=True, help="e-mail of a staff member")
        parser.add_argument("--resource", help="slug of an existing resource to add a version to")
        parser.add_argument("--changelog", default="")
        parser.add_argument("--no-publish", action="store_true", help="do not publish on pass")

    def handle(self, *args: object, **options: object) -> None:
        package = options["package"]
        assert isinstance(package, Path)
        if not package.is_file():
            raise CommandError(f"{package} is not a file.")
        institution = Institution.objects.filter(slug=options["institution"]).first()
        if institution is None:
            raise CommandError(f"No institution with slug {options['institution']!r}.")
        user = get_user_model().objects.filter(email=options["user"]).first()
        if user is None:
            raise CommandError(f"No user with e-mail {options['user']!r}.")
        resource = None
        if options["resource"]:
            resource = Resource.objects.filter(
                institution=institution, slug=options["resource"]
            ).first()
            if resource is None:
                raise CommandError(f"{institution.name} has no resource {options['resource']!r}.")
        try:
            version = deposit_package(
                package=package,
                institution=institution,
                by=user,
                resource=resource,
                changelog=str(options["changelog"]),
                publish_on_pass=not options["no_publish"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Deposited {version.resource.title} v{version.number} ({version.state}): "
            f"{version.get_absolute_url()}"
        )
