from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "dialogue"
    verbose_name = _("Dialogue plan 4402/KH-ĐHM")

    def ready(self):
        from portal.navigation import NavItem, register

        from . import engine

        engine.register()
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
        )
