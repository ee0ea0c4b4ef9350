from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("E-mail accounts (MTT.QT06)")

    def ready(self):
        from office.models import Unit
        from portal.cache import forget_on_change
        from portal.navigation import NavItem, register
        from portal.ops import watch_deliveries
        from portal.tasks import register_periodic_task

        from . import deadlines, downloads, privacy

        privacy.register_source()
        # The forms' cached unit list follows the directory (accounts.forms.unit_choices).
        from .forms import forget_unit_choices

        forget_on_change((Unit,), forget_unit_choices, "accounts.units")

        deadlines.register()
        downloads.register()
        register_periodic_task(
            "Read the MTT office mailbox",
            "accounts.read_intake_mailbox",
            60,
            "Turns requests e-mailed to the MTT office (IMAP or the intake folder) into drafts.",
        )
        # The office head sees whether the procedure's mail went out, never its bodies.
        watch_deliveries("mtt_office_head", "accounts/")
        # The provisioning jobs reach the broker through the task layer (one way: tasks → services).
        from .services.provisioning import use_broker
        from .tasks import enqueue_batch_verification, enqueue_provisioning

        use_broker(job=enqueue_provisioning, batch=enqueue_batch_verification)
        register_periodic_task(
            "Pick up account provisioning",
            "accounts.pick_up_provisioning",
            60,
            "Queues again provisioning jobs whose retry is due or whose worker died (MTT.QT06).",
        )
        register(
            NavItem(_("E-mail accounts"), "accounts:index", audience="public", order=11),
            NavItem(_("My account requests"), "accounts:mine", roles=("applicant",), order=20),
            NavItem(_("Mail intake log"), "accounts:intake-log", roles=("mtt_office",), order=25),
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
