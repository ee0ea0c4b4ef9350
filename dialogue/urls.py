from django.urls import path

from . import views

app_name = "dialogue"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/copy/", views.plan_copy, name="plan-copy"),
    path("plans/<int:pk>/publish/", views.plan_publish, name="plan-publish"),
    path("milestones/<int:pk>/", views.milestone_detail, name="milestone"),
    path("milestones/<int:pk>/start/", views.milestone_start, name="milestone-start"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("milestones/<int:pk>/reopen/", views.milestone_reopen, name="milestone-reopen"),
    path("milestones/<int:pk>/edit/", views.milestone_edit, name="milestone-edit"),
    path("duties/<int:pk>/toggle/", views.duty_toggle, name="duty-toggle"),
]
