"""The one permission gate (portal.access): log-in first, then the role; 403, or 404 when hidden."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views import View

from portal.access import RoleRequiredMixin, has_role, role_required


@role_required("mtt_office", "mtt_office_head")
def queue(request):
    return HttpResponse("the queue")


@role_required("dialogue_committee", hide=True)
def dashboard(request):
    return HttpResponse("the dashboard")


class Editor(RoleRequiredMixin, View):
    roles = ("directory_admin",)

    def get(self, request):
        return HttpResponse("the editor")


class HiddenEditor(Editor):
    hide = True


def _get(user, path="/accounts/queue/?status=new"):
    request = RequestFactory().get(path)
    request.user = user
    return request


@pytest.mark.parametrize("view", [queue, dashboard, Editor.as_view(), HiddenEditor.as_view()])
def test_someone_not_logged_in_is_sent_to_log_in_and_back(db, view):
    response = view(_get(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/accounts/queue/%3Fstatus%3Dnew"


def test_a_holder_of_any_of_the_roles_gets_the_page(make_user):
    assert queue(_get(make_user("mtt_office"))).content == b"the queue"
    assert queue(_get(make_user("mtt_office_head"))).content == b"the queue"
    assert Editor.as_view()(_get(make_user("directory_admin"))).content == b"the editor"


def test_another_role_is_refused_with_403(make_user):
    with pytest.raises(PermissionDenied):
        queue(_get(make_user("mtt_technician")))
    with pytest.raises(PermissionDenied):
        Editor.as_view()(_get(make_user("learner")))


def test_a_hidden_page_answers_404_to_another_role(make_user):
    with pytest.raises(Http404):
        dashboard(_get(make_user("leadership")))
    with pytest.raises(Http404):
        HiddenEditor.as_view()(_get(make_user("leadership")))


def test_a_superuser_holds_every_role(make_user):
    admin = make_user(is_superuser=True)
    assert dashboard(_get(admin)).content == b"the dashboard"
    assert has_role(admin, "learner")
    assert not has_role(AnonymousUser(), "learner")


def test_the_view_says_whom_it_lets_in():
    assert queue.roles == {"mtt_office", "mtt_office_head"} and queue.hide is False
    assert dashboard.roles == {"dialogue_committee"} and dashboard.hide is True
    assert queue.__name__ == "queue"
