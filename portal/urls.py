from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import downloads, health, language, ops, views, views_notifications, views_privacy
from .forms import LoginForm
from .identity import oidc
from .ratelimits import limit_posts

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("work/", views.dashboard, name="dashboard"),
        # The deadlines and notifications engine.
        path("notifications/", views_notifications.notification_list, name="notifications"),
        path(
            "notifications/<int:pk>/",
            views_notifications.notification_open,
            name="notification-open",
        ),
        path(
            "notifications/read/",
            views_notifications.notification_read_all,
            name="notifications-read-all",
        ),
        path("work/deliveries/", ops.deliveries, name="deliveries"),
        path("ops/outbox/", ops.outbox, name="ops-outbox"),
        path("ops/outbox/<int:pk>/", ops.outbox_detail, name="ops-outbox-detail"),
        path("ops/outbox/<int:pk>/resend/", ops.outbox_resend, name="ops-outbox-resend"),
        path("ops/deadlines/", ops.deadlines, name="ops-deadlines"),
        # Every uploaded file, behind the rule of the page that owns it (portal.downloads).
        path("files/<str:token>/", downloads.download, name="download"),
        path("ops/privacy/", views_privacy.ops_privacy, name="ops-privacy"),
        # Personal data (Decree 13/2023/NĐ-CP): the data-protection role.
        path("privacy/", views_privacy.person, name="privacy"),
        path("privacy/export/", views_privacy.export, name="privacy-export"),
        path("privacy/anonymise/", views_privacy.anonymise, name="privacy-anonymise"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path(
        "login/",
        limit_posts("login", target="post:username")(
            auth_views.LoginView.as_view(
                authentication_form=LoginForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", oidc.LogoutView.as_view(), name="logout"),
    # Sign-in with the university account (OpenID Connect); 404 unless OIDC_ISSUER is set.
    path("oidc/authenticate/", oidc.SignInView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    # Django's set_language, and the choice kept on the logged-in user (portal.language).
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("directory/", include("office.urls")),
    path("accounts/", include("accounts.urls")),
    path("dialogue/", include("dialogue.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# /media/ is not served, not even with DEBUG on: uploaded files go through portal.downloads.

# The friendly error page; 503 when the database is the cause (portal.errors).
handler500 = "portal.errors.server_error"
