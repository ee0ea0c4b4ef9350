from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import DeadlineStep, Notification, NotificationEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Portal"), {"fields": ("full_name", "language")}),)
    list_display = ("username", "full_name", "email", "is_staff", "is_active")
    search_fields = ("username", "full_name", "email")


# --- The deadlines and notifications engine ---------------------------------------------
# Read-only: steps change through the apps' services, notifications through the outbox
# functions (the ops outbox page resends a failed one). The admin is for looking.


class ReadOnlyAdmin(admin.ModelAdmin):
    """For looking only: records change through services, and history is never edited by
    hand. Every app's audit and engine tables use this one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeadlineStep)
class DeadlineStepAdmin(ReadOnlyAdmin):
    list_display = (
        "step_type",
        "content_type",
        "object_id",
        "holder_role",
        "holder_user",
        "due_at",
        "reminded_at",
        "escalated_at",
        "closed_at",
    )
    list_filter = ("step_type", "calendar", ("closed_at", admin.EmptyFieldListFilter))
    search_fields = ("step_type", "object_id", "holder_role", "holder_user__username")
    date_hierarchy = "due_at"
    list_select_related = ("content_type", "holder_user")


class NotificationEventInline(admin.TabularInline):
    model = NotificationEvent
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "email", "user", "subject", "status", "attempts", "read_at")
    list_filter = ("status", "channel", "template", "language")
    search_fields = ("email", "subject", "dedupe_key", "user__username")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    inlines = [NotificationEventInline]
