"""Celery doors: take nothing or an id, call a service, safe to run twice."""

from celery import shared_task


@shared_task(name="dialogue.sweep_late_milestones")
def sweep_late_milestones_task():
    """Mark milestones past their last day late (the engine's sweep alerts on its own clock;
    this catches plans published after their milestones had ended)."""
    from .services import sweep_late_milestones

    return sweep_late_milestones()
