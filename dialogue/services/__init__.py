"""Every write that changes the state of the dialogue: one function per business action.

Each checks the from-state and who may act, raises TransitionError when not allowed, saves
the fields it changed, writes an `Event` row, and opens/closes deadline steps and enqueues
notifications — all in one transaction. One module per sub-area of plan 4402/KH-ĐHM; this
package re-exports them so callers write `services.route_question(...)`.
"""

from ._common import (
    TransitionError,
)
from .feedback import (
    add_feedback_item,
    close_feedback_form,
    create_feedback_form,
    open_feedback_form,
    remove_feedback_item,
    submit_feedback,
)
from .plan import (
    complete_milestone,
    copy_duty_units,
    copy_plan,
    mark_milestone_late,
    publish_plan,
    reopen_milestone,
    set_duty_item_done,
    start_milestone,
    sweep_late_milestones,
    update_milestone,
)
from .questions import (
    answer_at_unit,
    change_topic,
    escalate_question,
    merge_questions,
    record_question_from_minutes,
    select_for_session,
    submit_question,
)
from .routing import (
    answer_question,
    can_publish,
    publish_answer,
    return_answer,
    route_question,
    set_topic_department,
)
from .sessions import (
    approve_minutes,
    create_session,
    return_minutes,
    submit_minutes,
    write_minutes,
)
from .university import (
    UNIVERSITY_FIELDS,
    add_participant,
    add_programme_item,
    move_programme_item,
    remove_participant,
    remove_programme_item,
    update_participant,
    update_programme_item,
    update_university_dialogue,
)

__all__ = [
    "TransitionError",
    "create_feedback_form",
    "add_feedback_item",
    "remove_feedback_item",
    "open_feedback_form",
    "close_feedback_form",
    "submit_feedback",
    "start_milestone",
    "complete_milestone",
    "reopen_milestone",
    "mark_milestone_late",
    "sweep_late_milestones",
    "update_milestone",
    "set_duty_item_done",
    "publish_plan",
    "copy_plan",
    "copy_duty_units",
    "submit_question",
    "record_question_from_minutes",
    "answer_at_unit",
    "escalate_question",
    "merge_questions",
    "change_topic",
    "select_for_session",
    "set_topic_department",
    "route_question",
    "answer_question",
    "return_answer",
    "can_publish",
    "publish_answer",
    "create_session",
    "write_minutes",
    "submit_minutes",
    "approve_minutes",
    "return_minutes",
    "UNIVERSITY_FIELDS",
    "update_university_dialogue",
    "add_programme_item",
    "update_programme_item",
    "move_programme_item",
    "remove_programme_item",
    "add_participant",
    "update_participant",
    "remove_participant",
]
