"""Django admin for every model; versions and their trees are read-only (they are immutable)."""

from django.contrib import admin

from repository import models


@admin.register(models.Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "role", "joined_at"]
    list_filter = ["role", "institution"]
    search_fields = ["user__email", "institution__name"]


@admin.register(models.Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "institution", "role", "created_at", "accepted_at"]
    readonly_fields = ["token"]


@admin.register(models.Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "kind", "latest_published"]
    list_filter = ["kind", "institution"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["latest_published"]


class VersionFileInline(admin.TabularInline):
    model = models.VersionFile
    fields = readonly_fields = ("path", "blob")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ["resource", "number", "licence", "state", "created_at"]
    list_filter = ["state", "licence"]
    search_fields = ["resource__title"]
    inlines = [VersionFileInline]

    def get_readonly_fields(self, request, obj=None):
        # State changes go through the validation pipeline and publishing actions only.
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Every version keeps its address forever; withdraw it instead.
        return False


class LineageRecordAdmin(admin.ModelAdmin):
    """Lineage records are facts about how works were made: shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Blob)
class BlobAdmin(admin.ModelAdmin):
    list_display = ["sha256", "size", "created_at"]
    readonly_fields = ["sha256", "size", "created_at"]


@admin.register(models.Derivation)
class DerivationAdmin(LineageRecordAdmin):
    list_display = ["child", "kind", "parent", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["child", "parent"]


class ValidationStepInline(admin.TabularInline):
    model = models.ValidationStep
    extra = 0
    readonly_fields = ["name", "position", "status", "duration_ms", "messages", "artefacts"]


@admin.register(models.ValidationRun)
class ValidationRunAdmin(admin.ModelAdmin):
    list_display = ["version", "validator_release", "state", "attempts", "started_at"]
    list_filter = ["state"]
    inlines = [ValidationStepInline]


@admin.register(models.ValidationStep)
class ValidationStepAdmin(admin.ModelAdmin):
    list_display = ["run", "name", "status", "duration_ms"]


class ContributionFileInline(admin.TabularInline):
    model = models.ContributionFile
    fields = readonly_fields = ("path", "blob")
    extra = 0
    can_delete = False


class ReviewInline(admin.TabularInline):
    model = models.Review
    fields = readonly_fields = ("kind", "author", "body", "created_at")
    extra = 0
    can_delete = False


@admin.register(models.Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["pk", "resource", "author", "state", "check_state", "created_at"]
    list_filter = ["state", "check_state"]
    search_fields = ["resource__title", "author__email", "description"]
    inlines = [ContributionFileInline, ReviewInline]

    def get_readonly_fields(self, request, obj=None):
        # Reviews and merges go through repository/actions/contributions.py only.
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(models.RemixPick)
class RemixPickAdmin(admin.ModelAdmin):
    list_display = ["version", "source", "path", "target"]
    raw_id_fields = ["version", "source"]


@admin.register(models.CollectionItem)
class CollectionItemAdmin(LineageRecordAdmin):
    list_display = ["collection", "item", "folder"]
    raw_id_fields = ["collection", "item"]


@admin.register(models.VariantRun)
class VariantRunAdmin(admin.ModelAdmin):
    list_display = ["version", "student_id", "state", "created_at", "finished_at"]
    list_filter = ["state"]
    readonly_fields = ["parameters", "metrics", "messages", "files"]


@admin.register(models.LtiPlatform)
class LtiPlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "issuer", "client_id", "nrps_enabled"]
    search_fields = ["name", "issuer", "client_id"]


@admin.register(models.LtiEvent)
class LtiEventAdmin(admin.ModelAdmin):
    """Refusals of issuers nobody registered have no institution: site staff read them here."""

    list_display = ["created_at", "kind", "issuer", "platform", "message"]
    list_filter = ["kind"]
    search_fields = ["issuer", "message"]


@admin.register(models.LtiToolKey)
class LtiToolKeyAdmin(admin.ModelAdmin):
    """Public halves only: the encrypted private key is never shown."""

    list_display = ["kid", "created_at", "retired_at"]
    fields = ["kid", "public_pem", "created_at", "retired_at"]
    readonly_fields = ["kid", "public_pem", "created_at", "retired_at"]

    def has_add_permission(self, request):
        return False


@admin.register(models.LtiScorePost)
class LtiScorePostAdmin(admin.ModelAdmin):
    list_display = ["created_at", "link", "learner", "score_given", "state", "tries"]
    list_filter = ["state"]


@admin.register(models.Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports are acted on from /moderation/, whose actions keep the log."""

    list_display = ["version", "category", "state", "created_at"]
    list_filter = ["state", "category"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(models.AdminAction)
class AdminActionAdmin(admin.ModelAdmin):
    """The audit log, append-only: nobody edits or deletes a line of it."""

    list_display = ["at", "actor_name", "kind", "institution", "target_label", "request_id"]
    list_filter = ["kind"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
