#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    here = os.path.dirname(os.path.abspath(__file__))
    configured = {"DEBUG", "SECRET_KEY"} & set(os.environ) or os.path.exists(f"{here}/.env")
    if sys.argv[1:2] == ["runportal"] or not configured:
        # The embedded default, and a developer's bare checkout (no DEBUG, no SECRET_KEY, no
        # .env: `manage.py check`, `makemigrations`), run with DEBUG on. A deployment says
        # SECRET_KEY (compose, .env), so it keeps the settings' default, off; gunicorn serves
        # through portal/wsgi.py, which never turns it on.
        os.environ.setdefault("DEBUG", "True")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
