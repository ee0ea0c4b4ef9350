"""The duties of section IV in English (issue 13): existing rows of plan 4402/KH-ĐHM get the
seed's English rendering where their Vietnamese text is still the document's."""

from django.db import migrations


def fill_english(apps, schema_editor):
    from dialogue import plan4402 as doc

    DutyItem = apps.get_model("dialogue", "DutyItem")
    vietnamese = {position: duties for position, _n, _e, _note, _c, duties in doc.UNIT_DUTIES}
    items = DutyItem.objects.filter(duty__plan__number=doc.NUMBER, text_en="").select_related(
        "duty"
    )
    for item in items:
        english = doc.DUTIES_EN.get(item.duty.position, [])
        original = vietnamese.get(item.duty.position, [])
        i = item.position - 1
        if i < len(english) and i < len(original) and item.text == original[i]:
            DutyItem.objects.filter(pk=item.pk).update(text_en=english[i])


class Migration(migrations.Migration):
    dependencies = [("dialogue", "0008_answered_index")]

    operations = [migrations.RunPython(fill_english, migrations.RunPython.noop)]
