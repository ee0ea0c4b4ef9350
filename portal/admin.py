from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .identity import unit_choices
from .models import (
    DeadlineStep,
    GroupRoleMapping,
    Notification,
    NotificationEvent,
    RoleChange,
    RoleGrant,
    User,
)
from .roles import Role


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


# --- Sign-in with the university's identity ---------------------------------------------


class GroupRoleMappingForm(forms.ModelForm):
    unit_code = forms.TypedChoiceField(
        label=_("unit"),
        required=False,
        empty_value="",
        choices=lambda: [("", _("— none —")), *unit_choices()],
        help_text=_("The office directory unit the role applies to. Empty: none."),
    )

    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    class Meta:
        model = GroupRoleMapping
        fields = ("group", "source", "role", "unit_code", "note")

    def clean_group(self):
        return self.cleaned_data["group"].strip()


@admin.register(GroupRoleMapping)
class GroupRoleMappingAdmin(admin.ModelAdmin):
    form = GroupRoleMappingForm
    list_display = ("group", "source", "role", "unit_code", "note")
    list_filter = ("source", "role")
    search_fields = ("group", "unit_code", "note")


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "unit_code", "source", "group", "granted_at")
    list_filter = ("source", "role")
    search_fields = ("user__username", "group", "unit_code")
    list_select_related = ("user",)


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """The audit trail of roles: read-only, never deleted."""

    list_display = ("at", "username", "action", "role", "unit_code", "source", "reason")
    list_filter = ("action", "source", "role")
    search_fields = ("username", "reason", "unit_code")
    date_hierarchy = "at"
