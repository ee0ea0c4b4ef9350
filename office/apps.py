from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "office"
    verbose_name = _("Office directory")

    def ready(self):
        from portal.navigation import NavItem, register

        register(
            NavItem(_("Office directory"), "office:directory", audience="public", order=10),
            NavItem(
                _("Edit the directory"), "office:directory", roles=("directory_admin",), order=20
            ),
        )
