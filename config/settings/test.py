"""Test settings: fast hashing, in-process tasks, same database selection as base."""

from .base import *  # noqa: F403
from .base import DATABASES, PASSWORD_HASHERS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
LOANCRM_SELFTEST_PAUSE_SECONDS = 0
LOANCRM_DEMO_LEADS = 120
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "batch"]}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "loancrm-test"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Threads in tests (live server, concurrency tests) must not keep connections past a request.
DATABASES["default"]["CONN_MAX_AGE"] = 0

# Fixed test keys (never used outside tests): field encryption, blind index.
FIELD_ENCRYPTION_KEYS = "t1:" + "A" * 43
BLIND_INDEX_KEY = "test-blind-index-key-0123456789abcdef"

# Two-factor enrolment is enforced by role in real deployments; tests that exercise it turn it on.
TWO_FACTOR_ENFORCED = False
