from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "office"
    verbose_name = _("Office directory")

    def ready(self):
        from portal.navigation import NavItem, register
        from portal.roles import grant

        register(
            NavItem(_("Office directory"), "office:directory", audience="public", order=10),
            NavItem(
                _("Edit the directory"),
                "office:manage",
                roles=("directory_admin",),
                order=20,
                description=_("Units, people and who is in charge of what, from a given date."),
            ),
        )
        # Django admin access to the directory's tables, for the same role (audit: view only).
        grant(
            "directory_admin",
            *(
                f"office.{action}_{model}"
                for model in ("unit", "unitduty", "person", "position", "assignment")
                for action in ("view", "add", "change")
            ),
            "office.view_auditevent",
        )
