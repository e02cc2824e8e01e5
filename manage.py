#!/usr/bin/env python
"""Django's command-line utility for loancrm."""

import os
import sys


def main() -> None:
    """Run administrative tasks with the embedded default settings unless told otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
