"""Find a named module (``nav``, ``api``, ``demo``, ``jobs``) in every loancrm app, in INSTALLED_APPS order.

A missing module is skipped; an error inside an existing module is raised, never hidden.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("loancrm."):
            continue
        try:
            module = import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
            continue
        yield config, module
