"""Fuzz the public forms and the upload parsers with ≥ 10,000 generated inputs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/fuzz.py [N]

Creates a throwaway database (test_<name>), loads the demo data, then feeds N inputs (default
10,000) from tests/security/fuzz_targets.py — the same generators as the property-based tests,
but random (a new seed each run, printed) — to BM01/BM02, the learner's question, the feedback
form, log-in, the tracking link and its lookup, bulk intake, registry import and the minutes
upload. Prints, per target and in total, the errors 500 (must be 0), the rejected and the
accepted inputs. Exits 1 if any error 500 was seen.
"""

import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from hypothesis import HealthCheck, given, seed
    from hypothesis import settings as hsettings
    from hypothesis import strategies as st

    from tests.security import fuzz_targets as fz

    setup_test_environment()
    settings.RATELIMIT_ENABLE = False  # the fuzzing is about the forms, not the limits
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        call_command("loaddemo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        results, errors = run_all(fz, Client, given, seed, hsettings, HealthCheck, st, total)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return report(results, errors)


def run_all(fz, Client, given, seed, hsettings, HealthCheck, st, total):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from dialogue.models import FeedbackForm, Topic
    from dialogue.scope import training_units
    from office.models import Unit

    # The demo directory is the office's own (seed 000); BM01/BM02 offer the HUST units.
    if not Unit.objects.filter(code="hust").exists():
        hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
        Unit.objects.create(
            code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust
        )
    cache.delete("accounts:unit-choices")

    run_seed = random.randrange(2**32)
    print(f"fuzz: {total} inputs, seed {run_seed}")
    anonymous = Client(raise_request_exception=False)
    learner = Client(raise_request_exception=False)
    learner.force_login(get_user_model().objects.get(username="learner"))
    topic_id, unit_id = Topic.objects.first().pk, training_units().first().pk
    feedback = FeedbackForm.objects.filter(status=FeedbackForm.Status.OPEN).first()
    feedback_client = Client(raise_request_exception=False)

    # (name, share of the inputs, strategies, probe)
    targets = [
        ("BM01/BM02", 0.18, (fz.request_forms,), lambda d: fz.probe_request_form(anonymous, d)),
        (
            "learner question",
            0.12,
            (fz.question_forms,),
            lambda d: fz.probe_question_form(learner, d, topic_id=topic_id, unit_id=unit_id),
        ),
        (
            "feedback",
            0.08,
            (fz.feedback_answers, fz.consent_values),
            lambda a, c: fz.probe_feedback_form(feedback_client, a, c, form=feedback),
        ),
        ("log-in", 0.10, (fz.login_forms,), lambda d: fz.probe_login(anonymous, d)),
        (
            "tracking link + lookup",
            0.10,
            (fz.tracking_tokens, fz.lookup_forms),
            lambda t, d: fz.probe_tracking(anonymous, t, d),
        ),
        ("bulk intake (CSV/XLSX)", 0.16, (fz.bulk_uploads,), lambda u: fz.probe_bulk_intake(*u)),
        ("registry import", 0.14, (fz.registry_uploads,), lambda u: fz.probe_registry_import(*u)),
        (
            "minutes upload",
            0.12,
            (fz.minutes_files, fz.junk),
            lambda u, t: fz.probe_minutes_upload(*u, t),
        ),
    ]
    results, errors = {}, []
    for name, share, strategies, probe in targets:
        counts = Counter()
        n = max(1, round(total * share))
        started = time.perf_counter()

        run = _runner(fz, name, probe, counts, errors)
        run = given(st.tuples(*strategies))(run)
        run = hsettings(
            max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )(run)
        run = seed(run_seed)(run)
        run()
        counts["seconds"] = round(time.perf_counter() - started, 1)
        results[name] = counts
        print(f"  {name:<26} done: {sum(v for k, v in counts.items() if k != 'seconds')} inputs")
    return results, errors


def _runner(fz, name, probe, counts, errors):
    def run(args):
        try:
            counts[probe(*args)] += 1
        except fz.ServerError as exc:
            counts["error 500"] += 1
            if len(errors) < 20:
                errors.append(f"{name}: {exc}")
        except AssertionError as exc:  # something invalid was saved
            counts["invalid saved"] += 1
            if len(errors) < 20:
                errors.append(f"{name}: invalid data saved: {exc}")

    return run


def report(results, errors):
    keys = ["error 500", "invalid saved", "rejected", "accepted"]
    print()
    print(f"{'target':<26} {'inputs':>7} " + " ".join(f"{k:>13}" for k in keys) + "  seconds")
    grand = Counter()
    for name, counts in results.items():
        inputs = sum(counts[k] for k in keys)
        grand.update({k: counts[k] for k in keys})
        cols = " ".join(f"{counts[k]:>13}" for k in keys)
        print(f"{name:<26} {inputs:>7} {cols}  {counts['seconds']:>7}")
    inputs = sum(grand[k] for k in keys)
    print(f"{'TOTAL':<26} {inputs:>7} " + " ".join(f"{grand[k]:>13}" for k in keys))
    for line in errors:
        print("  !", line)
    return 1 if grand["error 500"] or grand["invalid saved"] else 0


if __name__ == "__main__":
    sys.exit(main())
