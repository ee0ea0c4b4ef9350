"""{% error_summary as errors %}: the errors of every bound form on the page, for the summary at
the top (the GOV.UK pattern: templates/portal/_error_summary.html, static/portal/errors.js).

base.html asks once for every page, so each form gets the summary and the "Error:" title without
its own template knowing: the forms are found in the template context.
"""

from django import forms, template

register = template.Library()


def _form_errors(form, seen):
    # A form bound to nothing sent (a filter form on an empty query string) has not failed.
    if id(form) in seen or not form.is_bound or not form.data:
        return []
    seen.add(id(form))
    if not form.errors:  # runs the validation once; the form caches it
        return []
    items = []
    for message in form.non_field_errors():
        items.append({"anchor": "", "text": message})
    for name, messages in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
            continue
        field = form[name]
        if field.is_hidden:
            continue
        anchor = field.id_for_label or field.auto_id
        label = str(field.label or "").strip()
        # "Given name: …", but "… and I agree. …" (a label that ends a sentence takes no colon).
        lead = f"{label} " if label[-1:] in ".:?!" else f"{label}: " if label else ""
        for message in messages:
            items.append({"anchor": anchor, "text": f"{lead}{message}"})
    return items


@register.simple_tag(takes_context=True)
def error_summary(context):
    """[{anchor, text}] over the bound forms in the context (the portal has no formsets)."""
    items, seen = [], set()
    for value in context.flatten().values():
        # type(), not isinstance(): isinstance() would work out every lazy value in the
        # context (the menus, the bell) only to find it is not a form.
        if issubclass(type(value), forms.BaseForm):
            items += _form_errors(value, seen)
    return items
