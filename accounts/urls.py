from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.index, name="index"),
    path("apply/<str:person_kind>/", views.apply, name="apply"),
    path("track/", views.track_lookup, name="track-lookup"),
    path("track/<str:token>/", views.track, name="track"),
    path("track/<str:token>/print/", views.track_print, name="track-print"),
    path("track/<str:token>/correct/", views.correct, name="correct"),
    path("secret/<str:token>/", views.secret, name="secret"),
    path("mine/", views.mine, name="mine"),
    path("bulk/", views.bulk_upload, name="bulk"),
    path("bulk/template.<str:fmt>", views.bulk_template, name="bulk-template"),
    path("bulk/<int:pk>/", views.batch_detail, name="batch"),
    path("queue/", views.queue, name="queue"),
    path("queue/bulk-verify/", views.queue_bulk_verify, name="queue-bulk-verify"),
    path("requests/<int:pk>/", views.request_detail, name="detail"),
    path("requests/<int:pk>/claim/", views.claim, name="claim"),
    path("requests/<int:pk>/release/", views.release, name="release"),
    path("requests/<int:pk>/verify/", views.verify, name="verify"),
    path("requests/<int:pk>/reject/", views.reject, name="reject"),
    path("requests/<int:pk>/merge/", views.merge, name="merge"),
    path("requests/<int:pk>/issue/", views.issue, name="issue"),
    path("requests/<int:pk>/record/", views.record, name="record"),
    path("requests/<int:pk>/notify/", views.notify_preview, name="notify"),
    path("technician/", views.technician, name="technician"),
    path("technician/export/", views.export_csv, name="technician-export"),
    path("technician/issue-exported/", views.issue_exported, name="technician-issue-exported"),
    path("log/", views.log, name="log"),
    path("log/export.<str:fmt>", views.log_export, name="log-export"),
    path("log/<int:pk>/correct/", views.log_correct, name="log-correct"),
    path("notify/", views.notify_list, name="notify-list"),
    path("report/", views.report, name="report"),
    path("report/bm03.xlsx", views.report_xlsx, name="report-xlsx"),
    path("registries/", views.registries, name="registries"),
]
