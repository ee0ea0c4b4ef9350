"""The dialogue's use of the deadlines and notifications engine (portal.deadlines,
portal.notifications). Called from dialogue.services inside their transactions."""


def milestone_scheduled(milestone):
    """A published plan's milestone: reminders before it starts and before it ends."""


def milestone_started(milestone):
    pass


def milestone_closed(milestone):
    pass
