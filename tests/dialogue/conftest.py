import pytest

from dialogue.demo import load_plan


@pytest.fixture
def plan(db):
    """Plan 4402/KH-ĐHM as the document writes it (milestones and section IV duties)."""
    plan, _created = load_plan()
    return plan


@pytest.fixture
def committee(make_user):
    return make_user("dialogue_committee", full_name="Vũ Hoàng Giang")
