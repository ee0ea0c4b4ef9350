"""Anonymous questions are no longer found by their unit's name or their class code
(issue 10 §5): their stored search keys are rebuilt without them."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from dialogue.models import search_key

    Question = apps.get_model("dialogue", "Question")
    for q in Question.objects.filter(anonymous=True).select_related("topic").iterator():
        q.search_key = search_key(q.text, q.answer_text, q.topic.name, q.topic.name_en)
        q.save(update_fields=["search_key"])


class Migration(migrations.Migration):
    dependencies = [("dialogue", "0002_sessions_questions_feedback")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
