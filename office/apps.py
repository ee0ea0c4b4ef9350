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
        # The Django admin shows the directory read-only; edits go through the portal's forms.
        grant(
            "directory_admin",
            *(
                f"office.view_{model}"
                for model in ("unit", "unitduty", "person", "position", "assignment", "auditevent")
            ),
        )
