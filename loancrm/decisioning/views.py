"""Decision pages: the scoped list, an application's decision (with replay), and a rule set's backtest."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.core.errors import DomainError, NotFound
from loancrm.core.forms import flash_refusal
from loancrm.core.listing import date_param, paginate
from loancrm.core.permissions import perm_required
from loancrm.decisioning import presentation, selectors, services
from loancrm.decisioning.models import Outcome, RuleSetBacktest
from loancrm.decisioning.reasons import reason_label
from loancrm.products.models import Product
from loancrm.rules.models import Rule, RuleSet

VIEW = "decisioning.view_decision"


@perm_required(VIEW)
@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("outcome", "product", "date_from", "date_to")}
    rows = selectors.decisions_visible_to(request.user)
    if filters["outcome"] in Outcome.values:
        rows = rows.filter(outcome=filters["outcome"])
    if filters["product"]:
        rows = rows.filter(application__product_version__product__code=filters["product"])
    if start := date_param(filters["date_from"]):
        rows = rows.filter(created_at__date__gte=start)
    if end := date_param(filters["date_to"]):
        rows = rows.filter(created_at__date__lte=end)
    sorts = {"created": "created_at", "score": "score", "amount": "application__amount", "limit": "suggested_limit"}
    listing = paginate(request, rows, sorts=sorts, default_sort="-created")
    page = listing.rows
    described = Rule.objects.filter(rule_set_id__in={d.rule_set_id for d in page if d.rule_set_id}).exclude(
        description=""
    )
    descriptions = dict(described.values_list("reason_code", "description"))
    shown = [
        {
            "d": d,
            "reasons": [(code, reason_label(code, descriptions)) for code in d.reasons[:2]],
            "more": max(len(d.reasons) - 2, 0),
        }
        for d in page
    ]
    context = {
        "listing": listing, "page_obj": listing.page_obj, "rows": shown, "filters": filters,
        "outcomes": Outcome.choices, "products": Product.objects.order_by("code"),
    }  # fmt: skip
    return render(request, "decisioning/list.html", context)


@perm_required(VIEW)
@require_GET
def application_decision(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application, decision = selectors.access_application_decision(request.user, pk)
    except NotFound:
        raise Http404 from None
    context = {
        "application": application,
        "decision": decision,
        "view": presentation.decision_view(decision) if decision else None,
        "replays": decision.replays.select_related("actor")[:20] if decision else [],
        "can_replay": request.user.has_perm("decisioning.replay_decision"),
    }
    return render(request, "decisioning/decision.html", context)


@perm_required(VIEW, "decisioning.replay_decision")
@require_POST
def decision_replay_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        _application, decision = selectors.access_application_decision(request.user, pk)
    except NotFound:
        raise Http404 from None
    if decision is None:
        raise Http404
    try:
        replay = services.decision_replay(decision_id=decision.pk, actor=request.user, request=request)
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        if replay.same_outcome:
            messages.success(request, _("Replay matches the recorded decision."))
        else:
            messages.warning(request, _("Replay differs from the recorded decision: see the replay history."))
    return redirect("decisioning:application_decision", pk=pk)


@perm_required("decisioning.backtest_rule_set")
@require_http_methods(["GET", "POST"])
def rule_set_backtest(request: HttpRequest, rule_set_pk: int) -> HttpResponse:
    rule_set = RuleSet.objects.filter(pk=rule_set_pk).first()
    if rule_set is None:
        raise Http404
    raw_n = request.POST.get("n") if request.method == "POST" else request.GET.get("n")
    try:
        n = int(raw_n or 200)
    except ValueError:
        n = 200
    if request.method == "POST":
        try:
            run = services.rule_set_backtest_run(rule_set_id=rule_set.pk, n=n, actor=request.user, request=request)
        except DomainError as exc:
            flash_refusal(request, exc)
            return redirect(f"{request.path}?n={n}")
        return redirect(f"{request.path}?n={n}&run={run.pk}")
    chosen = None
    if run_id := request.GET.get("run", "").strip():
        chosen = RuleSetBacktest.objects.filter(pk=run_id if run_id.isdigit() else 0, rule_set=rule_set).first()
    backtest = chosen or services.latest_backtest(rule_set)
    context = {
        "rule_set": rule_set,
        "n": n,
        "backtest": backtest,
        "view": presentation.backtest_view(backtest) if backtest else None,
        "current": services.backtest_recorded(rule_set),
        "history": RuleSetBacktest.objects.filter(rule_set=rule_set).select_related("actor")[:10],
        "rules": rule_set.rules.order_by("position"),
    }
    return render(request, "decisioning/backtest.html", context)
