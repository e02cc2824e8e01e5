"""Rule editor pages: the rule-set list, a set with its ordered rules (edited while draft), live expression checks
and the test panel. Every write is one ``rules.services`` call; the same services back the API and the demo."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error, flash_refusal
from loancrm.core.htmx import is_htmx
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.rules import services, test_contexts
from loancrm.rules.context import FIELDS, sample_context
from loancrm.rules.forms import ContextForm, RuleForm, RuleSetFilterForm, RuleSetForm, field_description, type_name
from loancrm.rules.models import Rule, RuleAction, RuleSet, RuleSetStatus

VIEW = "rules.view_ruleset"
CHANGE = "rules.change_ruleset"


def _rule_set(pk: int) -> RuleSet:
    return get_object_or_404(RuleSet.objects.select_related("created_by", "published_by"), pk=pk)


def _context_fields() -> list[dict[str, Any]]:
    return [
        {"name": f.name, "type": type_name(f), "description": field_description(f), "sample": f.sample} for f in FIELDS
    ]


def _backtest_url(rule_set: RuleSet) -> str | None:
    """The backtest page of ``rule_set`` (decisioning provides it: the draft against recent decisions)."""
    try:
        return reverse("decisioning:rule_set_backtest", args=[rule_set.pk])
    except NoReverseMatch:
        return None


@perm_required(VIEW)
@require_GET
def rule_set_list(request: HttpRequest) -> HttpResponse:
    form = RuleSetFilterForm(request.GET)
    qs = RuleSet.objects.annotate(rule_count=Count("rules"))
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("q"):
        qs = qs.filter(name__icontains=filters["q"].strip())
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    listing = paginate(
        request,
        qs,
        sorts={
            "name": "name",
            "version": "version",
            "status": "status",
            "rules": "rule_count",
            "created": "created_at",
            "published": "published_at",
        },
        default_sort="name",
    )
    context = {"listing": listing, "page_obj": listing.page_obj, "filters": filters, "statuses": RuleSetStatus.choices}
    return render(request, "rules/list.html", context)


@perm_required(CHANGE)
@require_http_methods(["GET", "POST"])
def rule_set_create(request: HttpRequest) -> HttpResponse:
    form = RuleSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = services.rule_set_draft_create(
                name=form.cleaned_data["name"], notes=form.cleaned_data["notes"], actor=request.user
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Draft %(rule_set)s created.") % {"rule_set": rule_set})
            return redirect("rules:detail", pk=rule_set.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "rules/create.html", {"form": form}, status=status)


def _test_form(request: HttpRequest) -> tuple[ContextForm, str]:
    key = request.GET.get("context", "good")
    try:
        initial = test_contexts.context_for(key, user=request.user)
    except KeyError:
        key, initial = "", sample_context()
    return ContextForm(initial=initial), key


def _detail_context(request: HttpRequest, rule_set: RuleSet, **extra: Any) -> dict[str, Any]:
    is_draft = rule_set.status == RuleSetStatus.DRAFT
    test_form, context_key = _test_form(request)
    context = {
        "rule_set": rule_set,
        "rules": list(rule_set.rules.order_by("position")),
        "can_edit": is_draft and request.user.has_perm(CHANGE),
        "can_change": request.user.has_perm(CHANGE),
        "is_draft": is_draft,
        "fields": _context_fields(),
        "test_form": test_form,
        "contexts": test_contexts.available_contexts(request.user),
        "context_key": context_key,
        "backtest_url": _backtest_url(rule_set),
        "versions": RuleSet.objects.filter(name=rule_set.name).annotate(rule_count=Count("rules")).order_by("-version"),
    }
    context.update(extra)
    return context


@perm_required(VIEW)
@require_GET
def rule_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set(pk)
    return render(request, "rules/detail.html", _detail_context(request, rule_set))


def _rule_form_page(request: HttpRequest, rule_set: RuleSet, rule: Rule | None) -> HttpResponse:
    if rule_set.status != RuleSetStatus.DRAFT:
        messages.error(request, _("A published rule set cannot be changed."))
        return redirect("rules:detail", pk=rule_set.pk)
    initial = {}
    if rule is not None:
        initial = {name: getattr(rule, name) for name in ("code", "action", "reason_code", "description", "expression")}
    form = RuleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rule_save(
                    rule_set=rule_set, rule_id=rule.pk if rule else None, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404 from exc
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Rule %(code)s saved.") % {"code": form.cleaned_data["code"]})
                return redirect("rules:detail", pk=rule_set.pk)
        status = 422
    context = {"rule_set": rule_set, "rule": rule, "form": form, "fields": _context_fields()}
    return render(request, "rules/rule_form.html", context, status=status)


@perm_required(CHANGE)
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_form_page(request, _rule_set(pk), None)


@perm_required(CHANGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int, rule_id: int) -> HttpResponse:
    rule_set = _rule_set(pk)
    return _rule_form_page(request, rule_set, get_object_or_404(Rule, pk=rule_id, rule_set=rule_set))


@perm_required(CHANGE)
@require_POST
def rule_delete(request: HttpRequest, pk: int, rule_id: int) -> HttpResponse:
    rule_set = _rule_set(pk)
    rule = get_object_or_404(Rule, pk=rule_id, rule_set=rule_set)
    try:
        services.rule_delete(rule_set=rule_set, rule_id=rule.pk, actor=request.user)
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Rule %(code)s deleted.") % {"code": rule.code})
    return redirect("rules:detail", pk=rule_set.pk)


@perm_required(CHANGE)
@require_POST
def rule_move(request: HttpRequest, pk: int, rule_id: int) -> HttpResponse:
    rule_set = _rule_set(pk)
    rule = get_object_or_404(Rule, pk=rule_id, rule_set=rule_set)
    ordered = list(rule_set.rules.order_by("position", "pk").values_list("pk", flat=True))
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.rule_move(
            rule_set=rule_set, rule_id=rule.pk, position=ordered.index(rule.pk) + step, actor=request.user
        )
    except DomainError as exc:
        flash_refusal(request, exc)
    return redirect(reverse("rules:detail", args=[rule_set.pk]) + "#rules")


@perm_required(CHANGE)
@require_POST
def rule_set_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    source = _rule_set(pk)
    try:
        draft = services.rule_set_new_version(source=source, actor=request.user)
    except DomainError as exc:
        flash_refusal(request, exc)
        return redirect("rules:detail", pk=source.pk)
    messages.success(
        request,
        _("Draft %(rule_set)s created from version %(version)s.") % {"rule_set": draft, "version": source.version},
    )
    return redirect("rules:detail", pk=draft.pk)


@perm_required(CHANGE)
@require_POST
def rule_set_publish(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set(pk)
    try:
        services.rule_set_publish(rule_set=rule_set, actor=request.user)
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("%(rule_set)s published.") % {"rule_set": rule_set})
    return redirect("rules:detail", pk=rule_set.pk)


@perm_required(CHANGE)
@require_POST
def expression_check(request: HttpRequest) -> HttpResponse:
    """htmx: the problems of the typed expression (empty list: it may be saved), shown under the editor."""
    expression = request.POST.get("expression", "")[:4000]
    problems = services.expression_problems(expression)
    return render(request, "rules/_check.html", {"problems": problems, "expression": expression})


@perm_required(VIEW)
@require_POST
def rule_set_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Evaluate the set on the context typed in the test panel; htmx gets the result fragment, a plain post the page."""
    rule_set = _rule_set(pk)
    form = ContextForm(request.POST)
    evaluation, error = None, ""
    if form.is_valid():
        try:
            evaluation = services.rule_set_evaluate(rule_set=rule_set, context=form.context())
        except DomainError as exc:
            add_domain_error(form, exc)
            error = exc.summary()
    status = 200 if evaluation is not None else 422
    result = {
        "evaluation": evaluation,
        "test_error": error,
        "test_form": form,
        "rule_set": rule_set,
        "descriptions": {r.code: r.description for r in rule_set.rules.all()},
        "action_labels": dict(RuleAction.choices),
    }
    if is_htmx(request):
        return render(request, "rules/_test_result.html", result, status=status)
    return render(request, "rules/detail.html", _detail_context(request, rule_set, **result), status=status)
