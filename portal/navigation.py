"""Navigation that shows each role its work.

Apps register their entries from AppConfig.ready(); portal renders them and knows no app.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .access import has_role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] = ()  # empty: everyone who may see `audience`
    audience: str = "roles"  # "public" (everyone), "staff" (logged in), "roles"
    order: int = 100
    description: str = ""

    def visible_to(self, user) -> bool:
        if self.audience == "public":
            return True
        if not user.is_authenticated:
            return False
        if self.audience == "staff":
            return True
        # The same rule as the views' gate, so a link shows exactly where the page opens.
        return has_role(user, *self.roles)

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return "#"


_items: list[NavItem] = []
_generation = 0


def register(*items: NavItem) -> None:
    global _generation
    for item in items:
        if item not in _items:
            _items.append(item)
    _items.sort(key=lambda i: i.order)
    _generation += 1


def generation() -> int:
    """Changes whenever an entry is registered (the layout's fragments are keyed by it)."""
    return _generation


def items_for(user, audience: str | None = None) -> list[NavItem]:
    items = [i for i in _items if i.visible_to(user)]
    if audience:
        items = [i for i in items if i.audience == audience]
    return items


def work_items_for(user) -> list[NavItem]:
    """The entries that belong to the person's roles (not the public ones)."""
    return [i for i in _items if i.audience == "roles" and i.visible_to(user)]
