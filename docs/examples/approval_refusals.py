"""Must-show of #8, the refusals: a second vote by the same person, a wrong-role approver, an approval above the
approver's authority, a raised amount, and 20 concurrent disbursement requests for one contract.

The approval actions and the disbursement requests go over HTTP to the running server's JSON API
(``/api/v1/approvals/cases/{id}/act``, ``/api/v1/disbursements/applications/{id}/request``) with API tokens
issued to the demo users; the script counts the approval actions, audit events and orders before and after, so a
refusal that wrote anything would show. Set-up steps (a temporary authority limit for ``supervisor``, restored at the
end; the penny test of a signed application) go through the same services the pages use.

Run against ``make demo`` (server and worker)::

    .venv/bin/python docs/examples/approval_refusals.py --base http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from loancrm.accounts.models import User  # noqa: E402
from loancrm.accounts.services import api_token_create  # noqa: E402
from loancrm.applications.models import Application  # noqa: E402
from loancrm.approvals import services as approvals  # noqa: E402
from loancrm.approvals.models import ApprovalAction, ApprovalCase, AuthorityLimit  # noqa: E402
from loancrm.approvals.selectors import cases_visible_to  # noqa: E402
from loancrm.contracts import services as contracts  # noqa: E402
from loancrm.contracts.models import Contract  # noqa: E402
from loancrm.core.models import AuditEvent  # noqa: E402
from loancrm.disbursements import services as disbursements  # noqa: E402
from loancrm.disbursements.models import BankAccountVerification, DisbursementAttempt, DisbursementOrder  # noqa: E402
from loancrm.loans.models import Loan  # noqa: E402
from loancrm.messaging.models import SmsMessage  # noqa: E402


def step(text: str) -> None:
    sys.stdout.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
    sys.stdout.flush()


class Api:
    def __init__(self, base: str, username: str, scope: str) -> None:
        admin = User.objects.get(username="admin")
        user = User.objects.get(username=username)
        _row, self.secret = api_token_create(actor=admin, user_id=user.pk, name=f"must-show {username}", scopes=[scope])
        self.base, self.username = base, username

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        data = json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 (the local demo server)
            self.base + path, data=data, method="POST",
            headers={"Authorization": f"Bearer {self.secret}", "Content-Type": "application/json",
                     "Accept-Language": "zh-hans"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


def counts(case: ApprovalCase) -> tuple[int, int, tuple[str, int]]:
    """The case's actions, the approval audit events, and the case's status and step."""
    fresh = ApprovalCase.objects.get(pk=case.pk)
    audit = AuditEvent.objects.filter(action__startswith="approval.").exclude(action="approval.authority_set")
    return ApprovalAction.objects.filter(case=case).count(), audit.count(), (fresh.status, fresh.current_step)


def act(api: Api, case: ApprovalCase, label: str, **body: Any) -> int:
    before = counts(case)
    status, answer = api.post(f"/api/v1/approvals/cases/{case.pk}/act", {"action": "approve", **body})
    after = counts(case)
    written = "nothing written" if after == before else f"recorded ({after[0] - before[0]} action)"
    step(f"{label}: {api.username} → HTTP {status} {answer.get('code', answer.get('case_status', ''))} "
         f"«{answer.get('message', '')}» — {written}")  # fmt: skip
    return status


APPROVERS = ("compliance", "director", "supervisor", "supervisor_sh")


def eligible() -> list[tuple[ApprovalCase, str, bool]]:
    """(case, demo approver who may act on its current step now, whether that step is the route's last)."""
    found = []
    for name in APPROVERS:
        user = User.objects.get(username=name)
        roles = {p.code for p in user.role_profiles()}
        for case in cases_visible_to(user).filter(status="pending").select_related("application").order_by("pk"):
            steps = approvals.case_steps(case)
            current = steps[case.current_step]
            if not roles & {a.role for a in current.approvers}:
                continue
            if ApprovalAction.objects.filter(case=case, step=case.current_step, actor=user).exists():
                continue
            found.append((case, name, case.current_step == len(steps) - 1))
    return found


def authority_check(base: str) -> bool:
    """An approver at a route's last step, given a personal limit below the amount, is refused (limit restored)."""
    last = [(c, n) for c, n, is_last in eligible() if is_last]
    if not last:
        step("no case waits at its last step: skipping the authority check")
        return True
    case, name = last[0]
    approver = Api(base, name, "approvals:write")
    admin, user = User.objects.get(username="admin"), User.objects.get(username=name)
    role = next(p.code for p in user.role_profiles())
    previous = AuthorityLimit.objects.filter(role=role, user=user).first()
    lower = (case.amount / 2).quantize(Decimal("1"))
    approvals.authority_limit_set(actor=admin, role=role, user=user, max_amount=lower)
    step(f"admin: {name}'s own authority limit set to {lower}; {case.application.number} is {case.amount} yuan "
         "at its last step")  # fmt: skip
    try:
        return act(approver, case, "above authority", comment="同意。") in (403, 409)
    finally:
        if previous is None:
            AuthorityLimit.objects.filter(role=role, user=user).delete()
        else:
            approvals.authority_limit_set(actor=admin, role=role, user=user, max_amount=previous.max_amount)
        step(f"admin: {name}'s authority limit restored")


def role_and_amount_checks(base: str) -> bool:
    """A user without the step's role is refused; an approver who raises the amount is refused."""
    options = eligible()
    if not options:
        step("no pending approval step is left: skipping the role and amount checks")
        return True
    case, name, _last = options[0]
    committee, approver = Api(base, "committee", "approvals:write"), Api(base, name, "approvals:write")
    step(f"{case.application.number}: {case.amount} yuan, waits for {name}")
    ok = act(committee, case, "wrong role", comment="越权审批尝试") in (403, 409)
    raised = str(case.amount + 1000)
    return ok & (act(approver, case, "raise the amount", comment="上调金额", amount=raised) in (400, 409, 422))


def second_vote_check(base: str) -> bool:
    """The same person deciding twice on one countersign step: the second decision is refused."""
    countersigns = [
        (c, n) for c, n, _last in eligible() if approvals.case_steps(c)[c.current_step].kind == "countersign"
    ]
    if not countersigns:
        step("no case waits at a countersign step in this demo database: skipping the second-vote check")
        return True
    case, name = countersigns[0]
    voter = Api(base, name, "approvals:write")
    step(f"{case.application.number}: waits at the countersign (credit director + compliance)")
    ok = act(voter, case, "first vote", comment="审查通过，同意。") == 200
    return ok & (act(voter, case, "second vote, same person", comment="再次同意。") == 409)


def approval_refusals(base: str) -> bool:
    return authority_check(base) & role_and_amount_checks(base) & second_vote_check(base)


def ready_application() -> Application | None:
    """A signed application without a disbursement order (signing one awaiting signatures when none is)."""
    signed = Application.objects.filter(status="signed", disbursement_orders__isnull=True).order_by("pk").first()
    if signed is not None:
        return signed
    contract = Contract.objects.filter(status="awaiting_signatures").order_by("pk").first()
    if contract is None:
        return None
    for party in contract.parties.filter(signed_at__isnull=True):
        contracts.contract_sign_code_send(token=party.token)
        message = SmsMessage.objects.filter(template_code="contract_sign_code").latest("id")
        code = re.search(r"验证码为(\d{6})", message.text).group(1)
        contracts.contract_party_sign(token=party.token, code=code, read_confirmed=True)
    return Application.objects.get(pk=contract.application_id)


def concurrent_disbursement(base: str) -> bool:
    application = ready_application()
    if application is None:
        step("no signed application is available: skipping the concurrency check")
        return True
    ops = User.objects.get(username="ops")
    account = BankAccountVerification.objects.filter(application=application).order_by("-pk").first()
    if account is None or account.status != "verified":
        account = disbursements.penny_test_start(
            application_id=application.pk, bank_name="中国建设银行", account_no="6217000010001234567", actor=ops
        )
        disbursements.penny_test_confirm(verification_id=account.pk, amount=account.penny_amount, actor=ops)
    step(f"{application.number}: signed, account verified; 20 requests at once")
    api = Api(base, "ops", "disbursements:write")
    path = f"/api/v1/disbursements/applications/{application.pk}/request"
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda n: api.post(path, {}), range(20)))
    statuses: dict[int, int] = {}
    for status, _answer in answers:
        statuses[status] = statuses.get(status, 0) + 1
    ids = {answer.get("id") for status, answer in answers if status == 200}
    orders = DisbursementOrder.objects.filter(application=application)
    submissions = DisbursementAttempt.objects.filter(order__in=orders).count()
    step(f"answers {statuses}; order ids returned {sorted(i for i in ids if i)}; orders in the database "
         f"{orders.count()}; channel submissions {submissions}")  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not orders.filter(status="succeeded").exists():
        time.sleep(0.5)
    loans = Loan.objects.filter(contract_no=orders.first().contract_no).count()
    step(f"after the channel's callback: order {orders.first().status}, loans booked for the contract: {loans}")
    return orders.count() == 1 and loans == 1 and len(ids) == 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    ok = approval_refusals(base)
    ok = concurrent_disbursement(base) and ok
    step("all refused or collapsed to one" if ok else "A CHECK FAILED")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
