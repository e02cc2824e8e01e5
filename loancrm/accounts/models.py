"""Users, organisation, roles and API tokens.

Invariants: OrgUnit.path is the materialised path of ids ("1/4/9/") so a subtree is one prefix query;
a role is a Group with exactly one RoleProfile; an ApiToken stores only the SHA-256 of its secret.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import Group, PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.choices import DataScope, OrgUnitKind, UserKind
from loancrm.core.fields import BlindIndexField, EncryptedTextField


class Region(models.Model):
    """An administrative region (GB/T 2260 code) used for routing and lead assignment."""

    code = models.CharField(_("region code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """Company → branch → team; ``path`` holds ancestor ids so subtree filters are index prefix scans."""

    name = models.CharField(_("name"), max_length=80)
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        permissions = [("manage_org", _("Can manage the organisation"))]

    def __str__(self) -> str:
        return self.name

    def branch(self) -> OrgUnit | None:
        """The branch this unit belongs to (itself if it is one); None for the company level."""
        unit: OrgUnit | None = self
        while unit is not None:
            if unit.kind == OrgUnitKind.BRANCH:
                return unit
            unit = unit.parent
        return None


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        if not username:
            raise ValueError("username is required")
        user = self.model(username=self.model.normalize_username(username), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_staff", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person (staff), a channel partner or a system account. Disabled users cannot authenticate."""

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only."),
        error_messages={"unique": _("A user with that username already exists.")},
    )
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    email = models.EmailField(_("email"), blank=True)
    employee_no = models.CharField(_("employee number"), max_length=30, blank=True)
    mobile = EncryptedTextField(_("mobile"), kind="mobile", blank=True, default="")
    mobile_bidx = BlindIndexField(source="mobile", kind="mobile")
    kind = models.CharField(_("account type"), max_length=10, choices=UserKind.choices, default=UserKind.STAFF)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        permissions = [("manage_users", _("Can manage users and roles"))]
        constraints = [
            models.UniqueConstraint(
                fields=["mobile_bidx"], condition=~models.Q(mobile_bidx=""), name="user_mobile_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def role_names(self) -> list[str]:
        return [p.label for p in self.role_profiles()]

    def role_profiles(self) -> list[RoleProfile]:
        """The user's roles in display order (uses ``prefetch_related("groups__role")`` when present)."""
        cached = getattr(self, "_role_profiles", None)
        if cached is None:
            cached = sorted((g.role for g in self.groups.all() if hasattr(g, "role")), key=lambda p: (p.order, p.code))
            self._role_profiles = cached
        return cached


class RoleProfile(models.Model):
    """What a Group means as a role: a stable code, a display name and its data scope."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="role")
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    data_scope = models.CharField(_("data scope"), max_length=10, choices=DataScope.choices)
    requires_2fa = models.BooleanField(_("two-factor sign-in required"), default=False)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The role name in the active language (built-in roles) or as stored (custom roles)."""
        from loancrm.accounts.roles import role_label

        return str(role_label(self.code, self.name))


class UserSession(models.Model):
    """A login session of a user, so disabling the user can end every session at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d %H:%M}"


class LoginThrottle(models.Model):
    """Failed sign-ins per username (existing or not, so lockout reveals nothing about accounts)."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"


class ApiToken(models.Model):
    """A bearer token for a system or channel partner. Only the SHA-256 digest of the secret is stored."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        permissions = [("manage_tokens", _("Can manage API tokens"))]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class Capability(models.Model):
    """Holder of function permissions that belong to no single table (navigation and cross-module rights)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboard", _("Can see the work-queue home page")),
            ("reveal_pii", _("Can reveal masked personal data with a reason")),
            ("export_data", _("Can export data")),
            ("view_audit", _("Can view the audit log")),
        ]

    def __str__(self) -> str:
        return "capability"
