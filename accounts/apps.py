from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("E-mail accounts (MTT.QT06)")

    def ready(self):
        from portal.navigation import NavItem, register

        from . import privacy

        privacy.register_source()

        from . import deadlines

        deadlines.register()
        register(
            NavItem(_("E-mail accounts"), "accounts:index", audience="public", order=11),
            NavItem(_("My account requests"), "accounts:mine", roles=("applicant",), order=20),
            NavItem(_("Review queue"), "accounts:queue", roles=("mtt_office",), order=21),
            NavItem(
                _("Technician queue"), "accounts:technician", roles=("mtt_technician",), order=22
            ),
            NavItem(_("Issuance log"), "accounts:log", roles=("mtt_account_manager",), order=23),
            NavItem(_("BM03 report"), "accounts:report", roles=("mtt_office_head",), order=24),
        )
