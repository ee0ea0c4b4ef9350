from django.urls import path

from .views import intake, issuance_log, public, reports, review, technician

app_name = "accounts"
urlpatterns = [
    path("", public.index, name="index"),
    path("apply/<str:person_kind>/", public.apply, name="apply"),
    path("track/", public.track_lookup, name="track-lookup"),
    path("track/<str:token>/", public.track, name="track"),
    path("track/<str:token>/print/", public.track_print, name="track-print"),
    path("track/<str:token>/correct/", public.correct, name="correct"),
    path("secret/<str:token>/", public.secret, name="secret"),
    path("mine/", intake.mine, name="mine"),
    path("bulk/", intake.bulk_upload, name="bulk"),
    path("bulk/template.<str:fmt>", intake.bulk_template, name="bulk-template"),
    path("bulk/<int:pk>/", intake.batch_detail, name="batch"),
    path("queue/", review.queue, name="queue"),
    path("queue/bulk-verify/", review.queue_bulk_verify, name="queue-bulk-verify"),
    path("requests/<int:pk>/", review.request_detail, name="detail"),
    path("requests/<int:pk>/claim/", review.claim, name="claim"),
    path("requests/<int:pk>/release/", review.release, name="release"),
    path("requests/<int:pk>/verify/", review.verify, name="verify"),
    path("requests/<int:pk>/reject/", review.reject, name="reject"),
    path("requests/<int:pk>/issue/", technician.issue, name="issue"),
    path("requests/<int:pk>/record/", issuance_log.record, name="record"),
    path("requests/<int:pk>/notify/", review.notify_preview, name="notify"),
    path("technician/", technician.technician, name="technician"),
    path("technician/export/", technician.export_csv, name="technician-export"),
    path("technician/issue-exported/", technician.issue_exported, name="technician-issue-exported"),
    path("log/", issuance_log.log, name="log"),
    path("log/export.<str:fmt>", issuance_log.log_export, name="log-export"),
    path("log/<int:pk>/correct/", issuance_log.log_correct, name="log-correct"),
    path("notify/", review.notify_list, name="notify-list"),
    path("report/", reports.report, name="report"),
    path("report/bm03.xlsx", reports.report_xlsx, name="report-xlsx"),
    path("registries/", intake.registries, name="registries"),
]
