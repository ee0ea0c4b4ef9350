from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("E-mail accounts (MTT.QT06)")

    def ready(self):
        from portal.navigation import NavItem, register
        from portal.ops import watch_deliveries

        from . import deadlines

        deadlines.register()
        # The office head sees whether the procedure's mail went out, never its bodies.
        watch_deliveries("mtt_office_head", "accounts/")
        register(
            NavItem(_("E-mail accounts"), "accounts:index", audience="public", order=11),
            NavItem(_("My account requests"), "accounts:mine", roles=("applicant",), order=20),
            NavItem(
                _("Review queue"),
                "accounts:queue",
                roles=("mtt_office", "mtt_office_head"),
                order=21,
            ),
            NavItem(
                _("Technician queue"),
                "accounts:technician",
                roles=("mtt_technician", "mtt_office_head"),
                order=22,
            ),
            NavItem(_("Issuance log"), "accounts:log", roles=("mtt_account_manager",), order=23),
            NavItem(_("BM03 report"), "accounts:report", roles=("mtt_office_head",), order=24),
            NavItem(_("Mail delivery"), "portal:deliveries", roles=("mtt_office_head",), order=25),
        )
