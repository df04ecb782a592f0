"""Variant runs: a random public id for URLs, one run per learner, request times, student keys.

Existing runs get a fresh random public id each (their old sequential URLs stop working, which
is the point) and their creation time as the time they were queued.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import repository.models.variants


def fill_public_ids(apps, schema_editor):
    VariantRun = apps.get_model("repository", "VariantRun")
    for run in VariantRun.objects.only("pk", "created_at").iterator():
        VariantRun.objects.filter(pk=run.pk).update(public_id=uuid.uuid4(), queued_at=run.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("repository", "0007_variant_runs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StudentKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "value",
                    models.CharField(
                        default=repository.models.variants.new_student_key,
                        max_length=32,
                        unique=True,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="student_key",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RemoveConstraint(model_name="variantrun", name="one_run_per_variant"),
        migrations.AddField(
            model_name="variantrun",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="variantrun",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="variantrun",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddIndex(
            model_name="variantrun",
            index=models.Index(fields=["requested_by", "queued_at"], name="variant_run_requests"),
        ),
        migrations.AddConstraint(
            model_name="variantrun",
            constraint=models.UniqueConstraint(
                fields=("version", "requested_by", "student_id"),
                name="one_run_per_learner_variant",
            ),
        ),
    ]
