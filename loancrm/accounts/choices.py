"""Enumerations of the accounts app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataScope(models.TextChoices):
    """How much data a role sees; ordered from narrowest to widest."""

    OWN = "own", _("Own records")
    TEAM = "team", _("Team")
    BRANCH = "branch", _("Branch")
    ALL = "all", _("All")


SCOPE_RANK = {DataScope.OWN: 0, DataScope.TEAM: 1, DataScope.BRANCH: 2, DataScope.ALL: 3}


class OrgUnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    BRANCH = "branch", _("Branch")
    TEAM = "team", _("Team")


class UserKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    PARTNER = "partner", _("Channel partner")
    SYSTEM = "system", _("System")
