"""Who may download what the mail intake kept (registered with portal.downloads in
AccountsConfig.ready()): the original messages and their attachments are for the MTT Office,
the only role whose pages show them."""

from portal.access import has_role


def can_read_intake(user, _obj) -> bool:
    return has_role(user, "mtt_office")


def register() -> None:
    from portal.downloads import register_download

    from .models import IntakeAttachment, IntakeMessage

    register_download(IntakeMessage, "original", can_read=can_read_intake)
    register_download(IntakeAttachment, "file", can_read=can_read_intake)
