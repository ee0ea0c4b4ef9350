"""Django admin for the dialogue. State changes go through the portal's pages (services);
here the committee's administrators maintain reference data (the university-level dialogue's
participants and programme, topics), and everyone can read the audit trail — never edit it."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import (
    DialogueSession,
    Event,
    FeedbackForm,
    FeedbackItem,
    Milestone,
    Participant,
    Plan,
    ProgrammeItem,
    Question,
    Topic,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = (
        "position",
        "content",
        "time_text",
        "starts_on",
        "ends_on",
        "responsible_body",
        "status",
    )
    readonly_fields = fields  # the timeline changes on the portal's pages, with events
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("number", "academic_year", "issued_on", "status")
    readonly_fields = ("status", "copied_from")
    inlines = [MilestoneInline]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 1


class ProgrammeInline(admin.TabularInline):
    model = ProgrammeItem
    extra = 1


@admin.register(DialogueSession)
class DialogueSessionAdmin(admin.ModelAdmin):
    list_display = ("display_title", "level", "unit", "held_on", "status")
    list_filter = ("level", "status")
    readonly_fields = ("status", "submitted_by", "submitted_at", "approved_by", "approved_at")
    inlines = [ParticipantInline, ProgrammeInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "duty_position", "position")
    readonly_fields = ("department",)  # changed on the routing-table page, with an event


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "status", "topic", "unit", "department", "due_at", "source_count")
    list_filter = ("status", "topic")
    search_fields = ("search_key",)


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "from_status", "to_status", "actor", "plan")
    list_filter = ("action",)


class FeedbackItemInline(admin.TabularInline):
    model = FeedbackItem
    extra = 0


@admin.register(FeedbackForm)
class FeedbackFormAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "created_at")
    inlines = [FeedbackItemInline]
