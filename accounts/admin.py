from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import (
    AccountRequest,
    IssuanceLogEntry,
    MailSystemExport,
    RegistryImport,
    RegistryRecord,
    RequestEvent,
)


class EventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "from_status", "to_status", "actor", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AccountRequest)
class AccountRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "family_and_middle_names",
        "given_name",
        "person_kind",
        "request_kind",
        "status",
        "due_at",
    ]
    list_filter = ["status", "person_kind", "request_kind"]
    search_fields = ["reference", "person_id", "search_key"]
    exclude = ["tracking_digest", "tracking_sealed", "idempotency_key"]
    inlines = [EventInline]


@admin.register(IssuanceLogEntry)
class IssuanceLogEntryAdmin(ReadOnlyAdmin):
    """CreateEmailHUST-log: permanent. Even a superuser cannot edit or delete (and the database
    trigger would refuse it anyway)."""

    list_display = [
        "recorded_at",
        "reference",
        "full_name",
        "address",
        "action",
        "recorded_by_name",
    ]
    search_fields = ["reference", "address", "person_id"]


@admin.register(RegistryRecord)
class RegistryRecordAdmin(ReadOnlyAdmin):
    list_display = ["kind", "person_id", "family_and_middle_names", "given_name", "unit_name"]
    list_filter = ["kind"]
    search_fields = ["person_id", "search_key"]


@admin.register(RegistryImport)
class RegistryImportAdmin(ReadOnlyAdmin):
    list_display = ["imported_at", "kind", "file_name", "added", "changed", "unchanged", "rejected"]


@admin.register(MailSystemExport)
class MailSystemExportAdmin(ReadOnlyAdmin):
    list_display = ["exported_at", "exported_by", "mail_system", "row_count"]
