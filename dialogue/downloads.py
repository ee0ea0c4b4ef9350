"""Who may download the dialogue's uploaded files: the same rule as the page that shows them
(registered with portal.downloads in DialogueConfig.ready())."""


def can_read_letter(user, question) -> bool:
    """The official letter of an answer: whoever may open the question's page."""
    from . import selectors

    return selectors.questions_visible_to(user).filter(pk=question.pk).exists()


def can_read_minutes(user, session) -> bool:
    """The minutes of a session: whoever may open the session's page."""
    from .views.sessions import _sessions_visible_to

    return _sessions_visible_to(user).filter(pk=session.pk).exists()


def can_read_evidence(user, milestone) -> bool:
    """A milestone's evidence: the committee, the only ones its page shows it to."""
    from .scope import is_committee

    return is_committee(user)


def can_read_round_evidence(user, earlier_round) -> bool:
    """An earlier round's evidence: as the milestone's, for the history keeps it (issue 12 §6)."""
    return can_read_evidence(user, earlier_round.milestone)


def register() -> None:
    from portal.downloads import register_download

    from .models import DialogueSession, Milestone, MilestoneRound, Question

    register_download(Question, "letter_file", can_read=can_read_letter)
    register_download(DialogueSession, "minutes_file", can_read=can_read_minutes)
    register_download(Milestone, "evidence_file", can_read=can_read_evidence)
    register_download(MilestoneRound, "evidence_file", can_read=can_read_round_evidence)
