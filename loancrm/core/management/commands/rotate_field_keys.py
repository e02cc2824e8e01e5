"""Re-encrypt all personal data under the active key: ``manage.py rotate_field_keys``.

Put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it), deploy, then run this. It prints
progress per batch, can be interrupted and run again (it resumes), and ends by counting values still under an
old key, which must be zero before an old key may be removed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from loancrm.core.crypto import key_ring, reset_key_ring
from loancrm.core.errors import DomainError
from loancrm.core.key_rotation import count_stale
from loancrm.jobs.models import JobRun
from loancrm.jobs.runner import execute_run
from loancrm.jobs.services import job_start


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value under the active field key (resumable, with progress)."

    def handle(self, *args: Any, **options: Any) -> None:
        reset_key_ring()
        active = key_ring().active
        before = count_stale()
        self.stdout.write(f"active key {active}; values under older keys: {sum(before.values())}")
        handler = logging.StreamHandler(self.stdout)
        logger = logging.getLogger("loancrm.jobs.runner")
        logger.addHandler(handler)
        try:
            dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["batch"]}}
            with override_settings(TASKS=dummy):
                try:
                    run = job_start(
                        name="security.rotate_field_keys", business_date=timezone.localdate(), run_key=f"key-{active}"
                    )
                except DomainError as exc:
                    if sum(before.values()):
                        raise CommandError(str(exc.message)) from exc
                    self.stdout.write("nothing to re-encrypt")
                    return
            execute_run(run.pk)
        finally:
            logger.removeHandler(handler)
        run = JobRun.objects.get(pk=run.pk)
        after = count_stale()
        self.stdout.write(
            f"{run.status}: {run.processed} values re-encrypted; still under older keys: {sum(after.values())}"
        )
        if run.error or sum(after.values()):
            raise CommandError("rotation incomplete; run the command again to resume")
