from django.urls import path

from . import views

app_name = "dialogue"
urlpatterns = [
    # Public: the plan, its timeline, the published answers, the university-level dialogue.
    path("", views.index, name="index"),
    path("answers/", views.answers, name="answers"),
    path("university/", views.university, name="university"),
    # The committee runs the university-level dialogue (step 13).
    path("university/manage/", views.university_manage, name="university-manage"),
    path("university/details/", views.university_edit, name="university-edit"),
    path("university/questions/", views.university_questions, name="university-questions"),
    path("university/programme/add/", views.programme_add, name="programme-add"),
    path("university/programme/<int:pk>/", views.programme_edit, name="programme-edit"),
    path("university/programme/<int:pk>/remove/", views.programme_remove, name="programme-remove"),
    path(
        "university/programme/<int:pk>/move-<slug:direction>/",
        views.programme_move,
        name="programme-move",
    ),
    path("university/participants/add/", views.participant_add, name="participant-add"),
    path("university/participants/<int:pk>/", views.participant_edit, name="participant-edit"),
    path(
        "university/participants/<int:pk>/remove/",
        views.participant_remove,
        name="participant-remove",
    ),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/copy/", views.plan_copy, name="plan-copy"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan-publish"),
    path("milestones/<int:pk>/", views.milestone_detail, name="milestone"),
    path("milestones/<int:pk>/start/", views.milestone_start, name="milestone-start"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("milestones/<int:pk>/reopen/", views.milestone_reopen, name="milestone-reopen"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone-edit"),
    path("duties/<int:pk>/toggle/", views.duty_toggle, name="duty-toggle"),
    # Learners.
    path("ask/", views.ask, name="ask"),
    # Questions.
    path("questions/", views.question_list, name="questions"),
    path("questions/<int:pk>/", views.question_detail, name="question"),
    path("questions/<int:pk>/<slug:action>/", views.question_action, name="question-action"),
    path("to-answer/", views.responder_queue, name="responder-queue"),
    path("topics/", views.topics, name="topics"),
    # Sessions and minutes.
    path("unit/", views.unit_home, name="unit-home"),
    path("sessions/new/", views.session_create, name="session-create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/minutes/", views.session_minutes, name="session-minutes"),
    path("sessions/<int:pk>/questions/", views.session_add_question, name="session-question"),
    path("sessions/<int:pk>/<slug:action>/", views.session_action, name="session-action"),
    # The committee and the leadership.
    path("committee/", views.dashboard, name="dashboard"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report-xlsx"),
    # The feedback form.
    path("feedback/", views.feedback_list, name="feedback-list"),
    path("feedback/<int:pk>/", views.feedback_answer, name="feedback"),
    path("feedback/<int:pk>/edit/", views.feedback_edit, name="feedback-edit"),
    path("feedback/<int:pk>/results/", views.feedback_results, name="feedback-results"),
]
