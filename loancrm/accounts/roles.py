"""The built-in roles: their permission sets and data scopes.

Roles are Groups with a RoleProfile. ``sync_roles`` creates missing roles and grants the permissions
listed here (additive, so an administrator's extra grants survive a migrate); ``reset=True`` makes each
role's permissions exactly the listed ones. Permissions that do not exist yet (their module has not
landed) are skipped; later modules extend ``ROLE_PERMISSIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.choices import DataScope


@dataclass(frozen=True)
class RoleDef:
    code: str
    label: Any
    scope: DataScope
    description: Any
    requires_2fa: bool = False


ROLES: tuple[RoleDef, ...] = (
    RoleDef("sales_agent", _("Sales agent"), DataScope.OWN, _("Follows up own leads and customers")),
    RoleDef("sales_lead", _("Sales lead"), DataScope.TEAM, _("Leads a sales team and assigns its leads")),
    RoleDef("credit_reviewer", _("Credit reviewer"), DataScope.OWN, _("Reviews applications assigned to them")),
    RoleDef(
        "credit_supervisor",
        _("Credit supervisor"),
        DataScope.TEAM,
        _("Supervises a review team, approves"),
        requires_2fa=True,
    ),
    RoleDef(
        "credit_director",
        _("Credit director"),
        DataScope.BRANCH,
        _("Approves large or risky credit"),
        requires_2fa=True,
    ),
    RoleDef(
        "loan_committee", _("Loan committee member"), DataScope.ALL, _("Votes in the loan committee"), requires_2fa=True
    ),
    RoleDef("collector", _("Collector"), DataScope.OWN, _("Works assigned overdue cases")),
    RoleDef("collection_manager", _("Collection manager"), DataScope.BRANCH, _("Manages collection strategy")),
    RoleDef("qa_inspector", _("QA inspector"), DataScope.BRANCH, _("Inspects calls and conduct")),
    RoleDef("compliance_officer", _("Compliance officer"), DataScope.ALL, _("Audits, consents and complaints")),
    RoleDef("operations", _("Operations"), DataScope.ALL, _("Products, batch jobs and the calendar")),
    RoleDef(
        "administrator", _("Administrator"), DataScope.ALL, _("Users, roles and system settings"), requires_2fa=True
    ),
)
ROLE_BY_CODE = {role.code: role for role in ROLES}

EVERYONE = ["accounts.view_dashboard", "core.view_businessdate"]
REVIEWERS = ["accounts.reveal_pii"]
MANAGERS = ["accounts.export_data"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "sales_agent": [*EVERYONE],
    "sales_lead": [*EVERYONE, *MANAGERS],
    "credit_reviewer": [*EVERYONE, *REVIEWERS],
    "credit_supervisor": [*EVERYONE, *REVIEWERS, *MANAGERS],
    "credit_director": [*EVERYONE, *REVIEWERS, *MANAGERS],
    "loan_committee": [*EVERYONE],
    "collector": [*EVERYONE],
    "collection_manager": [*EVERYONE, *MANAGERS],
    "qa_inspector": [*EVERYONE],
    "compliance_officer": [
        *EVERYONE,
        *MANAGERS,
        "accounts.view_audit",
        "core.view_auditevent",
        "accounts.view_user",
        "compliance.view_consenttext",
        "compliance.manage_consent_text",
        "compliance.view_consent",
    ],
    "operations": [
        *EVERYONE,
        *MANAGERS,
        "core.view_calendarday",
        "core.manage_calendar",
        "jobs.view_jobrun",
        "jobs.run_job",
    ],
    "administrator": [
        *EVERYONE,
        *MANAGERS,
        "accounts.manage_users",
        "accounts.view_user",
        "accounts.manage_org",
        "accounts.manage_tokens",
        "accounts.view_audit",
        "core.view_auditevent",
        "core.change_businessdate",
        "core.view_calendarday",
        "core.manage_calendar",
        "jobs.view_jobrun",
        "jobs.run_job",
        "compliance.view_consenttext",
        "compliance.manage_consent_text",
        "compliance.view_consent",
    ],
}
for _code in ("sales_agent", "sales_lead", "credit_reviewer"):
    ROLE_PERMISSIONS[_code].append("compliance.record_consent")
for _code in (
    "sales_agent",
    "sales_lead",
    "credit_reviewer",
    "credit_supervisor",
    "compliance_officer",
    "administrator",
):
    ROLE_PERMISSIONS[_code].append("leads.view_lead")
for _code in ("sales_agent", "sales_lead", "administrator"):
    ROLE_PERMISSIONS[_code].append("leads.intake_lead")
for _code in ("sales_lead", "administrator"):
    ROLE_PERMISSIONS[_code] += ["leads.assign_lead", "imports.add_leadimport", "imports.view_leadimport"]
for _code in ("sales_agent", "sales_lead", "administrator"):
    ROLE_PERMISSIONS[_code] += [
        "sales.add_followup",
        "sales.view_followuptask",
        "sales.view_interaction",
        "sales.view_script",
    ]
for _code in ("credit_reviewer", "credit_supervisor", "compliance_officer"):
    ROLE_PERMISSIONS[_code].append("sales.view_interaction")
for _code in ("sales_lead", "administrator"):
    ROLE_PERMISSIONS[_code] += [
        "sales.change_refusalreason",
        "sales.change_slasettings",
        "leads.change_assignmentrule",
        "leads.change_agentduty",
        "sales.change_tag",
        "sales.change_script",
    ]
CUSTOMER_VIEWERS = ("credit_reviewer", "credit_supervisor", "credit_director", "loan_committee", "compliance_officer")
for _code in ("sales_agent", "sales_lead", "administrator", *CUSTOMER_VIEWERS):
    ROLE_PERMISSIONS[_code].append("customers.view_customer")
for _code in ("sales_agent", "sales_lead", "administrator"):
    ROLE_PERMISSIONS[_code] += ["customers.add_customer", "customers.change_customer"]
for _code in ("sales_lead", "administrator"):
    ROLE_PERMISSIONS[_code].append("customers.reopen_customer")
for _code in ("sales_agent", "sales_lead", "credit_reviewer", "credit_supervisor", "credit_director", "loan_committee",
              "administrator"):  # fmt: skip
    ROLE_PERMISSIONS[_code].append("customers.view_credit_report")
for _code in ("operations", "administrator", "compliance_officer"):
    ROLE_PERMISSIONS[_code].append("ledger.view_journalentry")
for _code in ("operations", "administrator"):
    ROLE_PERMISSIONS[_code].append("ledger.close_period")
ROLE_PERMISSIONS["administrator"].append("ledger.reopen_period")

LOAN_VIEWERS = ("sales_agent", "sales_lead", "credit_reviewer", "credit_supervisor", "credit_director",
                "loan_committee", "collector", "collection_manager", "compliance_officer", "operations",
                "administrator")  # fmt: skip
for _code in LOAN_VIEWERS:
    ROLE_PERMISSIONS[_code].append("loans.view_loan")
for _code in ("operations", "administrator"):
    ROLE_PERMISSIONS[_code] += [
        "loans.book_loan",
        "loans.post_payment",
        "loans.reverse_payment",
        "loans.approve_posting",
        "loans.manage_payment_channels",
    ]
APPLICATION_VIEWERS = ("sales_agent", "sales_lead", "credit_reviewer", "credit_supervisor", "credit_director",
                       "loan_committee", "compliance_officer", "operations", "administrator")  # fmt: skip
for _code in APPLICATION_VIEWERS:
    ROLE_PERMISSIONS[_code].append("applications.view_application")
for _code in ("sales_agent", "sales_lead", "administrator"):
    ROLE_PERMISSIONS[_code] += [
        "applications.add_application",
        "applications.change_application",
        "applications.submit_application",
    ]

# The product catalogue and the decision rules: operations and administrators configure them, credit supervisors and
# directors (who answer for the risk) may read them.
for _code in ("operations", "administrator"):
    ROLE_PERMISSIONS[_code] += [
        "products.view_product",
        "products.change_product",
        "rules.view_ruleset",
        "rules.change_ruleset",
    ]
for _code in ("credit_supervisor", "credit_director"):
    ROLE_PERMISSIONS[_code] += ["products.view_product", "rules.view_ruleset"]
# The SMS outbox (messaging)
for _code in ("operations", "administrator"):
    ROLE_PERMISSIONS[_code].append("messaging.view_smsmessage")
# Automated decisions (decisioning): credit roles and administrators see decisions; supervisors and above replay;
# the credit director, operations (who edit the rule sets) and administrators backtest rule sets on past decisions.
for _code in ("credit_reviewer", "credit_supervisor", "credit_director", "loan_committee", "administrator"):
    ROLE_PERMISSIONS[_code].append("decisioning.view_decision")
for _code in ("credit_supervisor", "credit_director", "administrator"):
    ROLE_PERMISSIONS[_code].append("decisioning.replay_decision")
for _code in ("credit_director", "operations", "administrator"):
    ROLE_PERMISSIONS[_code].append("decisioning.backtest_rule_set")
# Application documents (loancrm.documents): viewers of applications see their files (every open audited); those who
# prepare applications upload; reviewers reject files and ask the customer for corrections (补正).
for _code in APPLICATION_VIEWERS:
    ROLE_PERMISSIONS[_code].append("documents.view_document")
for _code in ("sales_agent", "sales_lead", "administrator"):
    ROLE_PERMISSIONS[_code].append("documents.add_document")
for _code in ("credit_reviewer", "credit_supervisor", "credit_director", "administrator"):
    ROLE_PERMISSIONS[_code] += ["documents.reject_document", "documents.add_correctionrequest"]
# Contracts (loancrm.contracts): credit roles, operations and administrators view contracts; supervisors, directors,
# operations and administrators generate, regenerate and cancel them and add guarantors; operations and administrators
# edit and publish the contract templates.
for _code in (
    "credit_reviewer",
    "credit_supervisor",
    "credit_director",
    "loan_committee",
    "operations",
    "administrator",
):
    ROLE_PERMISSIONS[_code].append("contracts.view_contract")
for _code in ("credit_supervisor", "credit_director", "operations", "administrator"):
    ROLE_PERMISSIONS[_code] += ["contracts.generate_contract", "contracts.add_guarantor"]
for _code in ("operations", "administrator"):
    ROLE_PERMISSIONS[_code].append("contracts.manage_contract_templates")


def role_label(code: str, fallback: str = "") -> Any:
    """The translated name of a built-in role, or ``fallback`` for a custom one."""
    role = ROLE_BY_CODE.get(code)
    return role.label if role else fallback


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".", 1)
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is not None:
            found.append(perm)
    return found


@transaction.atomic
def sync_roles(*, reset: bool = False) -> int:
    """Create missing built-in roles and grant their permissions; returns the number of roles touched."""
    from loancrm.accounts.models import RoleProfile

    for order, role in enumerate(ROLES):
        group, _created = Group.objects.get_or_create(name=f"role:{role.code}")
        profile, created = RoleProfile.objects.get_or_create(
            code=role.code,
            defaults={
                "group": group,
                "name": str(role.label),
                "description": str(role.description),
                "data_scope": role.scope,
                "requires_2fa": role.requires_2fa,
                "order": order,
            },
        )
        if reset and not created:
            profile.data_scope, profile.requires_2fa, profile.order = role.scope, role.requires_2fa, order
            profile.save(update_fields=["data_scope", "requires_2fa", "order"])
        perms = _permissions(ROLE_PERMISSIONS.get(role.code, []))
        if reset:
            group.permissions.set(perms)
        else:
            group.permissions.add(*perms)
    return len(ROLES)


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    """post_migrate hook (set-up data, not a domain side effect): keep built-in roles present.

    Runs once per migrate, after the last app's permissions exist.
    """
    from django.apps import apps

    if sender is not list(apps.get_app_configs())[-1]:
        return
    from django.core.management import call_command

    call_command("sync_roles", verbosity=0)


# Approval (loancrm.approvals): credit roles, the committee, compliance and administrators see approval cases and
# policies; approvers act (the policy's steps decide on which cases); the credit director and administrators edit
# and publish approval policies.
for _code in ("credit_reviewer", "credit_supervisor", "credit_director", "loan_committee", "compliance_officer",
              "administrator"):  # fmt: skip
    ROLE_PERMISSIONS[_code] += ["approvals.view_approvalcase", "approvals.view_approvalpolicyversion"]
for _code in ("credit_supervisor", "credit_director", "loan_committee", "compliance_officer"):
    ROLE_PERMISSIONS[_code].append("approvals.act_approvalcase")
for _code in ("credit_director", "administrator"):
    ROLE_PERMISSIONS[_code].append("approvals.manage_approvalpolicy")
# Disbursement (loancrm.disbursements) and the customer notices' e-mail outbox (messaging): operations (放款岗) and
# administrators verify accounts, request, retry and cancel; the credit director sees the queue and the orders.
for _code in ("operations", "administrator"):
    ROLE_PERMISSIONS[_code] += [
        "disbursements.view_disbursementorder",
        "disbursements.request_disbursement",
        "disbursements.verify_bank_account",
        "messaging.view_emailmessagerecord",
    ]
ROLE_PERMISSIONS["credit_director"].append("disbursements.view_disbursementorder")
# Credit review (loancrm.underwriting): reviewers work their cases; supervisors and directors see their team's /
# branch's queue and reassign; supervisors and administrators edit the routing rules; conditions of a conditional
# approval are marked met by the credit roles and by operations (before disbursement).
for _code in ("credit_reviewer", "credit_supervisor", "credit_director", "operations", "administrator"):
    ROLE_PERMISSIONS[_code].append("underwriting.view_reviewcase")
for _code in ("credit_reviewer", "credit_supervisor"):
    ROLE_PERMISSIONS[_code].append("underwriting.work_reviewcase")
for _code in ("credit_supervisor", "credit_director", "administrator"):
    ROLE_PERMISSIONS[_code].append("underwriting.supervise_reviewcase")
for _code in ("credit_supervisor", "administrator"):
    ROLE_PERMISSIONS[_code].append("underwriting.manage_routing")
for _code in ("credit_reviewer", "credit_supervisor", "credit_director", "operations", "administrator"):
    ROLE_PERMISSIONS[_code].append("underwriting.mark_condition_met")
