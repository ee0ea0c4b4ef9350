from django.urls import path

from . import views

app_name = "office"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("chart/", views.chart, name="chart"),
    path("search/", views.search, name="search"),
    path("units/<slug:code>/", views.unit_detail, name="unit"),
    path("units/<slug:code>/history/", views.unit_history, name="unit-history"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.xlsx", views.export_xlsx, name="export-xlsx"),
    # Editing, for directory administrators.
    path("manage/", views.manage, name="manage"),
    path("manage/changes/", views.changes, name="changes"),
    path("manage/units/new/", views.unit_create, name="unit-create"),
    path("manage/units/<slug:code>/edit/", views.unit_edit, name="unit-edit"),
    path("manage/people/new/", views.person_create, name="person-create"),
    path("manage/people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("manage/positions/new/", views.position_create, name="position-create"),
    path("manage/assignments/new/", views.assignment_create, name="assignment-create"),
    path(
        "manage/assignments/<int:pk>/reassign/",
        views.assignment_reassign,
        name="assignment-reassign",
    ),
    path("manage/assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
]
