from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from .roles import sync_roles

        # After every migrate and every test-database flush: role groups exist, permissions granted.
        post_migrate.connect(sync_roles, dispatch_uid="portal.sync_roles")
