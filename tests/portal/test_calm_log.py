"""Issue 12 §12: a person who follows a link they may not open leaves one log line, no
traceback (the embedded default's log is read by people; a traceback there means a fault)."""

import io
import logging

import pytest


@pytest.mark.parametrize(("url", "status"), [("/accounts/queue/", 403), ("/nowhere/", 404)])
def test_a_refused_page_is_one_log_line_without_a_traceback(client_for, url, status):
    handler = next(h for h in logging.getLogger("django").handlers if h.name == "console")
    stream = io.StringIO()
    old, handler.stream = handler.stream, stream  # setStream would flush a closed stream
    try:
        assert client_for("applicant").get(url).status_code == status
    finally:
        handler.stream = old
    logged = stream.getvalue()
    assert url in logged
    assert "Traceback" not in logged and "PermissionDenied" not in logged


def test_a_fault_still_logs_its_traceback():
    handler = next(h for h in logging.getLogger("django").handlers if h.name == "console")
    stream = io.StringIO()
    old, handler.stream = handler.stream, stream  # setStream would flush a closed stream
    try:
        try:
            raise ValueError("a real fault")
        except ValueError:
            logging.getLogger("django.request").error("Internal Server Error: /x/", exc_info=True)
    finally:
        handler.stream = old
    assert "Traceback" in stream.getvalue() and "a real fault" in stream.getvalue()
