from django.urls import path

from .views import feedback, plan, questions, reports, sessions, university

app_name = "dialogue"
urlpatterns = [
    # Public: the plan, its timeline, the published answers, the university-level dialogue.
    path("", plan.index, name="index"),
    path("answers/", questions.answers, name="answers"),
    path("university/", university.university, name="university"),
    # The committee runs the university-level dialogue (step 13).
    path("university/manage/", university.university_manage, name="university-manage"),
    path("university/details/", university.university_edit, name="university-edit"),
    path("university/questions/", university.university_questions, name="university-questions"),
    path("university/programme/add/", university.programme_add, name="programme-add"),
    path("university/programme/<int:pk>/", university.programme_edit, name="programme-edit"),
    path(
        "university/programme/<int:pk>/remove/",
        university.programme_remove,
        name="programme-remove",
    ),
    path(
        "university/programme/<int:pk>/move-<slug:direction>/",
        university.programme_move,
        name="programme-move",
    ),
    path("university/participants/add/", university.participant_add, name="participant-add"),
    path("university/participants/<int:pk>/", university.participant_edit, name="participant-edit"),
    path(
        "university/participants/<int:pk>/remove/",
        university.participant_remove,
        name="participant-remove",
    ),
    path("plans/<int:pk>/", plan.plan_detail, name="plan"),
    path("plans/<int:pk>/copy/", plan.plan_copy, name="plan-copy"),
    path("plans/<int:pk>/publish/", plan.plan_publish, name="plan-publish"),
    path("milestones/<int:pk>/", plan.milestone_detail, name="milestone"),
    path("milestones/<int:pk>/start/", plan.milestone_start, name="milestone-start"),
    path("milestones/<int:pk>/done/", plan.milestone_done, name="milestone-done"),
    path("milestones/<int:pk>/reopen/", plan.milestone_reopen, name="milestone-reopen"),
    path("milestones/<int:pk>/edit/", plan.milestone_edit, name="milestone-edit"),
    path("duties/<int:pk>/toggle/", plan.duty_toggle, name="duty-toggle"),
    # Learners.
    path("ask/", questions.ask, name="ask"),
    # Questions.
    path("questions/", questions.question_list, name="questions"),
    path("questions/<int:pk>/", questions.question_detail, name="question"),
    path("questions/<int:pk>/<slug:action>/", questions.question_action, name="question-action"),
    path("to-answer/", questions.responder_queue, name="responder-queue"),
    path("topics/", questions.topics, name="topics"),
    # Sessions and minutes.
    path("unit/", sessions.unit_home, name="unit-home"),
    path("sessions/new/", sessions.session_create, name="session-create"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session"),
    path("sessions/<int:pk>/minutes/", sessions.session_minutes, name="session-minutes"),
    path("sessions/<int:pk>/questions/", sessions.session_add_question, name="session-question"),
    path("sessions/<int:pk>/<slug:action>/", sessions.session_action, name="session-action"),
    # The committee and the leadership.
    path("committee/", reports.dashboard, name="dashboard"),
    path("report/", reports.report, name="report"),
    path("report.xlsx", reports.report_xlsx, name="report-xlsx"),
    # The feedback form.
    path("feedback/", feedback.feedback_list, name="feedback-list"),
    path("feedback/<int:pk>/", feedback.feedback_answer, name="feedback"),
    path("feedback/<int:pk>/edit/", feedback.feedback_edit, name="feedback-edit"),
    path("feedback/<int:pk>/results/", feedback.feedback_results, name="feedback-results"),
]
