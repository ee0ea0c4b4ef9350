from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "dialogue"
    verbose_name = _("Dialogue plan 4402/KH-ĐHM")

    def ready(self):
        from portal.navigation import NavItem, register

        from . import privacy

        privacy.register_source()
        _forget_answer_filters_on_edits()
        from portal.tasks import register_periodic_task

        from . import engine

        engine.register()
        # Catches milestones of plans published after their end dates (no engine clock ran).
        register_periodic_task(
            "Mark late dialogue milestones",
            "dialogue.sweep_late_milestones",
            3600,
            "Marks planned or in-progress milestones past their last day late (plan 4402).",
        )
        register(
            NavItem(_("Dialogue with learners"), "dialogue:index", audience="public", order=12),
            NavItem(
                _("Committee dashboard"),
                "dialogue:dashboard",
                roles=("dialogue_committee",),
                order=20,
            ),
            NavItem(_("Unit dialogues"), "dialogue:unit-home", roles=("dialogue_unit",), order=21),
            NavItem(
                _("Questions to answer"),
                "dialogue:responder-queue",
                roles=("dialogue_responder",),
                order=22,
            ),
            NavItem(_("Dialogue reports"), "dialogue:report", roles=("leadership",), order=23),
            NavItem(_("Ask a question"), "dialogue:ask", roles=("learner",), order=24),
            NavItem(
                _("Mail delivery"), "portal:deliveries", roles=("dialogue_committee",), order=25
            ),
        )
        from portal.ops import watch_deliveries

        from . import downloads

        # Minutes, official letters and evidence: downloaded behind their pages' rules.
        downloads.register()

        # The committee sees whether the plan's mail went out, never its bodies.
        watch_deliveries("dialogue_committee", "dialogue/")


def _forget_answer_filters_on_edits():
    """A topic or a unit saved or deleted: the answers page's filters are read again."""
    from office.models import Unit
    from portal.cache import forget_on_change

    from .models import Topic
    from .selectors import forget_answer_filters

    forget_on_change((Topic, Unit), forget_answer_filters, "dialogue.filters")
