"""Demo data of the accounts app: the organisation tree and one user per role (idempotent)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from loancrm.accounts.choices import OrgUnitKind
from loancrm.accounts.models import OrgUnit, Region, RoleProfile, User
from loancrm.accounts.roles import sync_roles
from loancrm.core.audit import audit_event

DEMO_PASSWORD = "loancrm-demo-2026"  # noqa: S105 (demo only, printed by make demo)

REGIONS = [
    ("110000", "北京市", None),
    ("110105", "朝阳区", "110000"),
    ("310000", "上海市", None),
    ("310115", "浦东新区", "310000"),
]

# code, name, kind, parent code, region code
ORG_UNITS = [
    ("HQ", "总部", OrgUnitKind.COMPANY, None, "110000"),
    ("BJ", "北京分公司", OrgUnitKind.BRANCH, "HQ", "110105"),
    ("BJ-SALES1", "北京电销一组", OrgUnitKind.TEAM, "BJ", "110105"),
    ("BJ-SALES2", "北京电销二组", OrgUnitKind.TEAM, "BJ", "110105"),
    ("BJ-CREDIT", "北京信审组", OrgUnitKind.TEAM, "BJ", "110105"),
    ("BJ-COLL", "北京催收组", OrgUnitKind.TEAM, "BJ", "110105"),
    ("SH", "上海分公司", OrgUnitKind.BRANCH, "HQ", "310115"),
    ("SH-SALES1", "上海电销一组", OrgUnitKind.TEAM, "SH", "310115"),
    ("SH-CREDIT", "上海信审组", OrgUnitKind.TEAM, "SH", "310115"),
]

# username, full name, role code, org unit code
USERS = [
    ("admin", "王管理", "administrator", "HQ"),
    ("ops", "赵运营", "operations", "HQ"),
    ("compliance", "钱合规", "compliance_officer", "HQ"),
    ("committee", "孙委员", "loan_committee", "HQ"),
    ("director", "李总监", "credit_director", "BJ"),
    ("supervisor", "周主管", "credit_supervisor", "BJ-CREDIT"),
    ("reviewer", "吴信审", "credit_reviewer", "BJ-CREDIT"),
    ("saleslead", "郑组长", "sales_lead", "BJ-SALES1"),
    ("sales", "冯销售", "sales_agent", "BJ-SALES1"),
    ("sales_sh", "陈销售", "sales_agent", "SH-SALES1"),
    ("collmgr", "褚经理", "collection_manager", "BJ"),
    ("collector", "卫催收", "collector", "BJ-COLL"),
    ("qa", "蒋质检", "qa_inspector", "BJ"),
    ("sales2", "何销售", "sales_agent", "BJ-SALES1"),
    ("sales3", "吕销售", "sales_agent", "BJ-SALES2"),
    ("sales4", "施销售", "sales_agent", "BJ-SALES2"),
    ("sales_sh2", "张销售", "sales_agent", "SH-SALES1"),
    ("committee2", "钱委员", "loan_committee", "HQ"),
    ("committee3", "刘委员", "loan_committee", "HQ"),
    ("reviewer2", "郑信审", "credit_reviewer", "BJ-CREDIT"),
    ("reviewer_sh", "韩信审", "credit_reviewer", "SH-CREDIT"),
    ("supervisor_sh", "杨主管", "credit_supervisor", "SH-CREDIT"),
]


@transaction.atomic
def seed() -> list[str]:
    """Create what is missing; return printable login lines."""
    sync_roles()
    regions: dict[str, Region] = {}
    for code, name, parent_code in REGIONS:
        regions[code], _c = Region.objects.get_or_create(
            code=code, defaults={"name": name, "parent": regions.get(parent_code) if parent_code else None}
        )
    units: dict[str, OrgUnit] = {}
    for code, name, kind, unit_parent, region_code in ORG_UNITS:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            parent = units[unit_parent] if unit_parent else None
            unit = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent, region=regions[region_code])
            unit.path = f"{parent.path if parent else ''}{unit.pk}/"
            unit.save(update_fields=["path"])
            audit_event(None, "org_unit.created", unit, {"source": "demo"})
        units[code] = unit
    lines = []
    for index, (username, full_name, role_code, unit_code) in enumerate(USERS, start=1):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username, DEMO_PASSWORD, full_name=full_name, org_unit=units[unit_code], mobile=f"1390000{index:04d}"
            )
            user.groups.add(RoleProfile.objects.get(code=role_code).group)
            audit_event(None, "user.created", user, {"source": "demo", "role": role_code})
        role = RoleProfile.objects.get(code=role_code)
        lines.append(f"{username:<12} {DEMO_PASSWORD:<20} {role.label} · {units[unit_code].name}")
    if RoleProfile.objects.filter(requires_2fa=True).update(requires_2fa=False):
        audit_event(None, "role.2fa_requirement", None, {"after": False, "source": "demo"})
    lines.append(
        "(demo: two-factor sign-in is optional for every role here; production requires it for administrators "
        "and approvers — turn it back on under 系统 → 角色)"
    )
    return lines


def describe() -> dict[str, Any]:
    return {"password": DEMO_PASSWORD, "users": [u[0] for u in USERS]}
