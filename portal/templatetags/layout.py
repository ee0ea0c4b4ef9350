"""The layout's fragments, rendered once for each person, page and language (issue 15).

Every page extends base.html. Its header (the navigation for the person's roles, the bell, the
language switch, the user menu) and a section's menu cost more template rendering than a
queue's 25 rows. What they show is a function of a few values, read fresh on every request:
the language, the path, the person (id, name, staff flags, roles) and the bell's count.

    {% layout_fragment "header" %} … {% endlayout_fragment %}
    {% layout_fragment "office-nav" can_edit on_query %} … {% endlayout_fragment %}
    {% layout_fragment "footer" shared year %} … {% endlayout_fragment %}

("shared": the body reads neither the person nor the path, only the language and the values
named, so one copy serves everyone.)

renders its body once for each combination of those values (plus the values named after the
fragment's name) and keeps the HTML in this process, in a bounded LRU. Nothing needs
invalidating: every value the body reads is part of the key. The CSRF token is not kept: the
body is rendered with a placeholder that is replaced by a fresh token on every response, so
each response carries its own masked token, as `{% csrf_token %}` gives.
"""

import threading
from collections import OrderedDict

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal import navigation

register = template.Library()

# 4,000 fragments of 3–8 kB: at most ~30 MB per process, whatever the traffic.
MAX_FRAGMENTS = 4000
_CSRF_SLOT = "csrf-token-slot-7f3a9c"

_fragments: OrderedDict = OrderedDict()
_lock = threading.Lock()


@receiver(setting_changed, dispatch_uid="portal.layout.clear")
def clear(**kwargs):
    """Forget every fragment (a setting changed, in tests; or on demand)."""
    with _lock:
        _fragments.clear()


def _person(context) -> tuple:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return (None,)
    bell = context.get("bell")
    return (
        user.pk,
        user.display_name,
        user.is_staff,
        user.is_superuser,
        user.has_usable_password(),
        tuple(sorted(user.role_names)),
        bell.unread if bell is not None else 0,
    )


class LayoutFragmentNode(template.Node):
    def __init__(self, name: str, vary_on: list, nodelist, shared: bool = False):
        self.name = name
        self.vary_on = vary_on
        self.nodelist = nodelist
        self.shared = shared

    def render(self, context):
        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        vary = tuple(repr(v.resolve(context)) for v in self.vary_on)
        if self.shared:
            key = (self.name, get_language(), vary)
        else:
            match = getattr(request, "resolver_match", None)
            key = (
                self.name,
                get_language(),
                request.get_full_path(),
                match.view_name if match else "",
                context.get("OIDC_SIGN_IN"),
                navigation.generation(),
                _person(context),
                vary,
            )
        with _lock:
            html = _fragments.get(key)
            if html is not None:
                _fragments.move_to_end(key)
        if html is None:
            with context.push(csrf_token=_CSRF_SLOT):
                html = self.nodelist.render(context)
            with _lock:
                _fragments[key] = html
                while len(_fragments) > MAX_FRAGMENTS:
                    _fragments.popitem(last=False)
        if _CSRF_SLOT in html:
            # The page's own token when it has one (the csrf context processor's, worked out
            # once per page), else a fresh one: masked afresh for each response either way.
            token = context.get("csrf_token")
            html = html.replace(_CSRF_SLOT, str(token) if token else get_token(request))
        return mark_safe(html)  # noqa: S308 — the template's own output, escaped when rendered


@register.tag
def layout_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("layout_fragment needs a name")
    nodelist = parser.parse(("endlayout_fragment",))
    parser.delete_first_token()
    name, rest = bits[1].strip("\"'"), bits[2:]
    shared = bool(rest) and rest[0] == "shared"
    if shared:
        rest = rest[1:]
    return LayoutFragmentNode(name, [parser.compile_filter(b) for b in rest], nodelist, shared)
