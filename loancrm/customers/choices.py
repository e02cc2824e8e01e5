"""Customer choices: kind, status (with its transition table) and the profile's categorical fields (Chinese labels
via the catalogue)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loancrm.customers.errors import StatusChangeNotAllowed


class Kind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    CORPORATE = "corporate", _("Corporate")


class Status(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("customer status", "Active")
    DORMANT = "dormant", pgettext_lazy("customer status", "Dormant")
    CLOSED = "closed", pgettext_lazy("customer status", "Closed")


# Which status a customer may move to from each one; closed → active (reopening) also needs REOPEN_PERMISSION.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    Status.ACTIVE: {Status.DORMANT, Status.CLOSED},
    Status.DORMANT: {Status.ACTIVE, Status.CLOSED},
    Status.CLOSED: {Status.ACTIVE},
}
REOPEN_PERMISSION = "customers.reopen_customer"


def ensure_transition(current: str, target: str) -> None:
    """Refuse (``StatusChangeNotAllowed``) a move the table does not list, naming both statuses."""
    if target not in STATUS_TRANSITIONS.get(current, set()):
        labels = {"current": Status(current).label, "target": Status(target).label}
        if current == target:
            raise StatusChangeNotAllowed(_("The customer is already %(current)s.") % labels)
        raise StatusChangeNotAllowed(_("A customer cannot go from %(current)s to %(target)s.") % labels)


def allowed_targets(current: str) -> list[str]:
    """The statuses a customer in ``current`` may move to, in the order of ``Status``."""
    return [value for value in Status.values if value in STATUS_TRANSITIONS.get(current, set())]


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school or below")
    JUNIOR = "junior", _("Junior high school")
    SENIOR = "senior", _("Senior high school or vocational")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTOR = "doctor", _("Doctorate")


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Sibling")
    FRIEND = "friend", _("Friend")
    COLLEAGUE = "colleague", _("Colleague")
    OTHER = "other", _("Other")


class PropertyType(models.TextChoices):
    APARTMENT = "apartment", _("Apartment")
    HOUSE = "house", _("House")
    COMMERCIAL = "commercial", _("Commercial property")
    LAND = "land", _("Land use right")
    OTHER = "other", _("Other")


class FinancialAssetType(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    WEALTH = "wealth", _("Wealth management product")
    STOCK = "stock", _("Stocks")
    FUND = "fund", _("Funds")
    INSURANCE = "insurance", _("Insurance cash value")
    OTHER = "other", _("Other")


class PartyRelation(models.TextChoices):
    SHAREHOLDER = "shareholder", _("Shareholder")
    ACTUAL_CONTROLLER = "controller", _("Actual controller")
    DIRECTOR = "director", _("Director or senior manager")
    PARENT_COMPANY = "parent", _("Parent company")
    SUBSIDIARY = "subsidiary", _("Subsidiary")
    GUARANTOR = "guarantor", _("Guarantor")
    OTHER = "other", _("Other")
