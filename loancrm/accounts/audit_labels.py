"""Human labels of the accounts app's audit actions."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "auth.login": _("Signed in"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.logout": _("Signed out"),
    "auth.permission_denied": _("Access refused"),
    "user.created": _("User created"),
    "user.updated": _("User changed"),
    "user.disabled": _("User disabled"),
    "user.enabled": _("User enabled"),
    "user.password_reset": _("Password reset by an administrator"),
    "user.password_changed": _("Password changed"),
    "user.unlocked": _("Sign-in lockout cleared"),
    "org_unit.created": _("Organisation unit created"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "user.2fa_enrolled": _("Two-factor sign-in enrolled"),
    "user.2fa_reset": _("Two-factor sign-in reset"),
    "user.2fa_recovery_regenerated": _("Recovery codes replaced"),
    "auth.2fa_failed": _("Two-factor code failed"),
    "role.2fa_requirement": _("Two-factor requirement changed"),
}
