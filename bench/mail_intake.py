"""Benchmark of the mail intake (issue 18): how fast messages become drafts, and the memory one
message costs. Prints numbers; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_intake_bench \
        .venv/bin/python bench/mail_intake.py

1. parsing alone: a Gmail message with a BM02 .docx, an Outlook message with labelled lines,
   a PDF with a text layer (messages per second, p50/p95 ms);
2. ingest into PostgreSQL (parse + intake-log row + draft request + clock), N messages;
3. peak Python memory (tracemalloc) while parsing one message with a 5 MB attachment.
"""

import datetime as dt
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402

N = int(os.environ.get("BENCH_INTAKE_N", 300))


def _ms(samples):
    samples = sorted(samples)
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95) - 1] * 1000


def main():
    setup_django()
    from django.core.management import call_command

    from accounts.intake.parse import parse_message
    from accounts.intake.services import ingest
    from accounts.models import IntakeMessage
    from tests.accounts.mail.build import DOCX, bm_docx, message, text_pdf

    call_command("migrate", verbosity=0)
    docx_bytes = bm_docx()
    pdf_bytes = text_pdf(["Ho va ten: Le Van Cuong", "Ma so sinh vien: 20221111"])
    body = "Họ và tên: Phạm Minh Đức\nMã số sinh viên: 20239999\nKhóa: K68\n"
    kinds = {
        "gmail + .docx": lambda: message(attachments=[("bm02.docx", docx_bytes, DOCX)]),
        "outlook body": lambda: message(body=body, client="outlook"),
        "pdf text": lambda: message(attachments=[("don.pdf", pdf_bytes, ("application", "pdf"))]),
    }
    print(f"mail intake benchmark: {N} messages of each kind", flush=True)
    for name, make in kinds.items():
        raws = [make() for _ in range(N)]
        times = []
        for raw in raws:
            t = time.perf_counter()
            parse_message(raw)
            times.append(time.perf_counter() - t)
        p50, p95 = _ms(times)
        print(
            f"  parse {name:15s} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  "
            f"{len(raws) / sum(times):7.0f} msg/s",
            flush=True,
        )

    IntakeMessage.objects.filter(source="bench").delete()
    raws = [kinds["gmail + .docx"]() for _ in range(N)]
    started = time.perf_counter()
    for raw in raws:
        ingest(raw, source="bench", now=dt.datetime.now(dt.UTC))
    took = time.perf_counter() - started
    print(
        f"  ingest .docx drafts into the database: {N / took:.0f} msg/s "
        f"({took / N * 1000:.1f} ms each)",
        flush=True,
    )
    t = time.perf_counter()
    for raw in raws:
        ingest(raw, source="bench")
    print(
        f"  re-reading the same {N} (dedupe by Message-ID): "
        f"{(time.perf_counter() - t) / N * 1000:.1f} ms each",
        flush=True,
    )

    big = message(
        attachments=[
            ("bm02.docx", docx_bytes, DOCX),
            ("scan.jpg", os.urandom(5 * 1024 * 1024), ("image", "jpeg")),
        ]
    )
    tracemalloc.start()
    parse_message(big)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  peak memory parsing a {len(big) / 1e6:.1f} MB message: {peak / 1e6:.1f} MB", flush=True
    )


if __name__ == "__main__":
    main()
