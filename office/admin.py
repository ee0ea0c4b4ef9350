"""The directory in the Django admin: read-only.

Every change must go through office.services so that it is audited (who, when, before, after);
administrators edit in the portal's own forms (/directory/manage/).
"""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Assignment, AuditEvent, Person, Position, Unit, UnitDuty


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_en", "search_key"]


@admin.register(UnitDuty)
class UnitDutyAdmin(ReadOnlyAdmin):
    list_display = ["unit", "order", "text"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "title", "email", "staff_code", "user"]
    search_fields = ["full_name", "search_key", "email", "staff_code"]


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit", "is_leadership", "order"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["person", "relation", "unit", "position", "starts_on", "ends_on"]
    list_filter = ["relation"]
    search_fields = ["person__full_name", "unit__name", "duty"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "shown_label"]
    list_filter = ["action", "object_type"]
