from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import language, navigation, notifications  # noqa: F401 (language: its signal)
        from .roles import Role, grant, sync_roles
        from .tasks import (
            enqueue_deliveries,
            enqueue_delivery,
            ensure_periodic_tasks,
            register_periodic_task,
        )

        # The outbox hands rows to the broker through the task layer (one way: tasks → outbox).
        notifications.use_broker(one=enqueue_delivery, many=enqueue_deliveries)

        # After every migrate and every test-database flush: role groups exist, permissions granted.
        post_migrate.connect(sync_roles, dispatch_uid="portal.sync_roles")
        # The engine's beat tasks live in django-celery-beat's tables, where ops can change them.
        post_migrate.connect(ensure_periodic_tasks, dispatch_uid="portal.periodic_tasks")
        # Every change of role is audited (portal.identity.audit), also those made by hand.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from .identity.audit import record_manual_role_change

        m2m_changed.connect(
            record_manual_role_change,
            sender=get_user_model().groups.through,
            dispatch_uid="portal.audit_roles",
        )

        # Operations run the outbox and the deadlines; the outbox holds other people's mail, so
        # the heads of a workflow see only the delivery status of theirs (ops.watch_deliveries).
        grant(Role.OPERATIONS, "portal.view_ops")
        ops_roles = (Role.OPERATIONS.value,)
        # Personal data: closed records lose their personal fields after the retention period.
        register_periodic_task(
            "Anonymise closed records past retention",
            "portal.apply_retention",
            86400,
            "Clears phone, IDs, date of birth and free text of closed records older than "
            "PRIVACY_RETENTION_DAYS (Decree 13/2023/NĐ-CP); the issuance log is kept.",
        )
        navigation.register(
            navigation.NavItem(_("Deadlines"), "portal:ops-deadlines", roles=ops_roles, order=900),
            navigation.NavItem(_("Outbox"), "portal:ops-outbox", roles=ops_roles, order=910),
            navigation.NavItem(
                _("Personal data"),
                "portal:privacy",
                roles=(Role.DATA_PROTECTION.value,),
                order=920,
            ),
            navigation.NavItem(
                _("Retention"),
                "portal:ops-privacy",
                roles=(*ops_roles, Role.DATA_PROTECTION.value),
                order=930,
            ),
        )
