"""The JSON API root (django-ninja) at /api/v1/.

Invariants: every 4xx has the shape ``{"code", "message", "fields"}`` with messages in the request's
language (Chinese by default); authentication is the browser session (with CSRF) or a bearer API token;
routers are discovered from each app's ``api.py`` (``router`` and ``API_PREFIX``, or a ``ROUTERS`` list).
"""

from __future__ import annotations

from ninja import NinjaAPI

from loancrm.accounts.api_auth import api_auth
from loancrm.core.api_errors import install_error_handlers
from loancrm.core.discovery import app_modules
from loancrm.core.pii_api import router as pii_router

api = NinjaAPI(
    title="LoanCRM API",
    version="1",
    description=(
        "Credit CRM API. Authenticate with the browser session or `Authorization: Bearer <token>`. "
        "Errors: `{code, message, fields}`; messages follow `Accept-Language` (zh-Hans default, en). "
        "Lists: `?page=1&page_size=50` → `{items, count, page, page_size}`."
    ),
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)


def _mount_app_routers() -> None:
    for _config, module in app_modules("api"):
        routers = module.ROUTERS if hasattr(module, "ROUTERS") else [(module.API_PREFIX, module.router)]
        for prefix, router in routers:
            api.add_router(prefix, router)


_mount_app_routers()
api.add_router("/pii", pii_router)
