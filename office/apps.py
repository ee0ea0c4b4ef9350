from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "office"
    verbose_name = _("Office directory")

    def ready(self):
        from portal.identity import directory_signed_in, register_unit_choices
        from portal.navigation import NavItem, register
        from portal.roles import grant

        # Sign-in through the university's directory: link the directory's person, and let
        # the group → role mapping name our units.
        directory_signed_in.connect(_link_person, dispatch_uid="office.link_person")
        _watch_the_directory()
        register_unit_choices(_unit_choices)

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


def _link_person(sender, user, email="", staff_code="", **kwargs):
    from .services import link_person_to_user

    link_person_to_user(user=user, email=email, staff_code=staff_code)


def _unit_choices():
    from .models import Unit

    return [
        (code, f"{'· ' * depth}{name} ({code})")
        for code, name, depth in Unit.objects.tree_order().values_list("code", "name", "depth")
    ]


def _watch_the_directory():
    """Any save or delete of the directory's rows gives it a new version: the kept search
    results (office.selectors.kept_search) are then answered afresh."""
    from portal.cache import forget_on_change

    from . import models
    from .selectors import directory_changed

    forget_on_change(
        (
            models.Unit,
            models.UnitVersion,
            models.UnitDuty,
            models.Person,
            models.Position,
            models.Assignment,
        ),
        directory_changed,
        "office.version",
    )
