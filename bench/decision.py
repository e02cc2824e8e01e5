"""Automated decision latency and throughput (#7): ``python bench/run.py decision`` or ``python bench/decision.py``.

Setup (not timed): the demo rule set, a scorecard trained on 5,000 synthetic rows, a product version bound to both,
``BENCH_DECISION_CUSTOMERS`` (default 200) customers with a credit-bureau consent whose external data is already
stored (so no provider is called), and ``BENCH_DECISIONS`` (default 2,000) submitted applications spread over them.

Figures, each beside a raw-database baseline measured in the same run:

1. the pure pipeline (features + CEL rules + scorecard + policy, ``decisioning.pipeline.run``) on each
   application's snapshot, one call at a time: p50/p99 latency and decisions per second (a batch of stored
   snapshots evaluated in a loop);
2. the full service ``application_prescreen`` per application (cached external-data lookups, consent checks,
   snapshot, pipeline, the Decision row, two status changes, three audit events, one transaction): p50/p99 and
   decisions per second; baseline: a raw INSERT of the same number of Decision rows with the same JSON, one
   transaction each (latency) and all in one transaction (throughput).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _setup(n: int, customers: int) -> tuple[list[int], Any]:
    from django.db import transaction

    from loancrm.applications.choices import Channel, Status
    from loancrm.applications.models import Application
    from loancrm.compliance.services import consent_give, consent_text_publish, current_text
    from loancrm.customers.models import Customer
    from loancrm.customers.services.common import apply_id_number
    from loancrm.customers.tests.factories import valid_id
    from loancrm.decisioning.services import fetch_external
    from loancrm.products.models import Product, ProductKind
    from loancrm.products.services import (
        product_create,
        product_version_draft,
        product_version_publish,
        product_version_save,
    )
    from loancrm.rules import demo as rules_demo
    from loancrm.rules.models import RuleSet
    from loancrm.scoring.services import scorecard_publish, scorecard_train
    from loancrm.scoring.synthetic import generate

    rules_demo.seed()
    rule_set = RuleSet.objects.get(name=rules_demo.DEMO_NAME)
    card, _report = scorecard_train(rows=generate(5000, seed=2026), target="bad", name="bench-decision")
    card = scorecard_publish(scorecard=card)
    product = Product.objects.filter(code="BENCHDEC").first() or product_create(
        code="BENCHDEC", name="基准消费贷", kind=ProductKind.CONSUMER
    )
    draft = product_version_draft(product=product)
    product_version_save(
        draft=draft, min_amount="1000.00", max_amount="200000.00", min_term_months=3, max_term_months=36,
        methods=["equal_installment", "equal_principal"], min_rate="0.072000", max_rate="0.240000",
        default_rate="0.144000", documents=[], rule_set=rule_set, scorecard=card, auto_approve_score=560,
        reject_below_score=520,
    )  # fmt: skip
    version = product_version_publish(draft=draft)
    if current_text("credit_bureau") is None:
        consent_text_publish(actor=None, purpose="credit_bureau", title="征信授权",
                             body="本人同意贵司为审核贷款申请之目的查询本人信用报告，期限至贷款结清。")  # fmt: skip
    people = []
    for i in range(customers):
        customer = Customer.objects.create(
            name=f"基准客户{i}",
            monthly_income=10000 + 500 * (i % 20),
            education=["bachelor", "college", "senior"][i % 3],
        )
        apply_id_number(
            customer, valid_id(f"{['110105', '310115', '440305', '510104'][i % 4]}1988{i % 12 + 1:02d}1{i:04d}"[:17])
        )
        customer.number = f"C{customer.pk:08d}"
        customer.save()
        consent_give(subject=customer, purpose="credit_bureau", channel="branch")
        fetch_external(customer)  # stores bureau, multi-lending, court and blacklist answers (the cache)
        people.append(customer)
    rows = []
    for i in range(n):
        customer = people[i % customers]
        rows.append(Application(
            customer=customer, product_version=version, channel=Channel.BRANCH, status=Status.SUBMITTED,
            amount=f"{20000 + (i % 30) * 3000}.00", term_months=[12, 24, 36][i % 3], method="equal_installment",
            annual_rate="0.144000", monthly_income=customer.monthly_income, monthly_debt=f"{(i % 7) * 400}.00",
            employment_years=f"{i % 9}.5", housing=["owned", "mortgaged", "rented", "parents"][i % 4],
            region=customer.id_number[:6],
        ))  # fmt: skip
    with transaction.atomic():
        created = Application.objects.bulk_create(rows, batch_size=500)
    ids = sorted(a.pk for a in created)
    for pk in ids:
        Application.objects.filter(pk=pk).update(number=f"A{pk:09d}")
    return ids, version


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection, transaction

    from loancrm.applications.models import Application
    from loancrm.decisioning import pipeline
    from loancrm.decisioning.models import Decision
    from loancrm.decisioning.services import (
        application_prescreen,
        fetch_external,
        rules_of,
        scorecard_card,
        snapshot_of,
    )

    n = int(os.environ.get("BENCH_DECISIONS", "2000"))
    customers = int(os.environ.get("BENCH_DECISION_CUSTOMERS", "200"))
    started = time.perf_counter()
    ids, version = _setup(n, customers)
    print(f"  (set up {n:,} submitted applications for {customers} customers in {time.perf_counter() - started:.1f}s)")

    # 1. the pure pipeline on each application's snapshot
    applications = list(
        Application.objects.filter(pk__in=ids).select_related("customer", "product_version__product").order_by("pk")
    )
    external = {c: fetch_external(c)[0] for c in {a.customer for a in applications}}
    snapshots = [snapshot_of(a, external[a.customer]) for a in applications]
    rules, card = rules_of(version.rule_set), scorecard_card(version.scorecard)
    pipeline.run(snapshots[0], rules, card)  # warm: CEL programs compiled and cached, card built once
    pure: list[float] = []
    outcomes: dict[str, int] = {}
    batch_start = time.perf_counter()
    for snapshot in snapshots:
        t0 = time.perf_counter()
        result = pipeline.run(snapshot, rules, card)
        pure.append(time.perf_counter() - t0)
        outcomes[result.result.outcome] = outcomes.get(result.result.outcome, 0) + 1
    pure_total = time.perf_counter() - batch_start

    # raw baseline: INSERT the same number of Decision-sized rows (same JSON), per row and in one transaction
    sample = snapshots[0]
    payload = json.dumps({"inputs": sample, "context": {}, "row": {}}, ensure_ascii=False)
    table = Decision._meta.db_table
    sql = (
        f"INSERT INTO {table} (application_id, input_snapshot, rule_set_version, scorecard_version, cutoffs, "
        "rule_results, rules_outcome, score, score_points, outcome, reasons, flags, suggested_limit, "
        "suggested_rate, elapsed_ms, created_at, actor_repr) VALUES "
        "(%s, %s, 1, 1, %s, %s, 'approve', 560, %s, 'auto_approved', '[]', '[]', 50000.00, 0.144, 1.0, %s, 'bench')"
    )
    from django.utils import timezone

    now = timezone.now()
    rules_json = json.dumps([r.as_dict() for r in pipeline.run(sample, rules, card).evaluation.results])  # type: ignore[union-attr]
    points_json = json.dumps(pipeline.run(sample, rules, card).points, ensure_ascii=False)
    params = [(pk, payload, '{"auto_approve": 560, "reject_below": 520}', rules_json, points_json, now) for pk in ids]
    raw_each: list[float] = []
    for row in params:
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, row)
        raw_each.append(time.perf_counter() - t0)
    Decision.objects.all()._raw_delete(Decision.objects.db)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)
    raw_batch = time.perf_counter() - t0
    Decision.objects.all()._raw_delete(Decision.objects.db)

    # 2. the full service, one application at a time
    full: list[float] = []
    service_start = time.perf_counter()
    for pk in ids:
        t0 = time.perf_counter()
        application_prescreen(application_id=pk)
        full.append(time.perf_counter() - t0)
    service_total = time.perf_counter() - service_start

    def ms(value: float) -> str:
        return f"{value * 1000:7.3f} ms"

    print(f"  outcomes of the pure run: {dict(sorted(outcomes.items()))}")
    print(f"  pure pipeline   p50 {ms(statistics.median(pure))}  p99 {ms(_percentile(pure, 0.99))}  "
          f"max {ms(max(pure))}  → {n / pure_total:,.0f} decisions/s")  # fmt: skip
    print(f"  full service    p50 {ms(statistics.median(full))}  p99 {ms(_percentile(full, 0.99))}  "
          f"max {ms(max(full))}  → {n / service_total:,.0f} decisions/s")  # fmt: skip
    print(f"  raw INSERT/row  p50 {ms(statistics.median(raw_each))}  p99 {ms(_percentile(raw_each, 0.99))}  "
          f"(one transaction each); {n / raw_batch:,.0f} rows/s in one transaction")  # fmt: skip
    report(f"decision pipeline, {n:,} snapshots (pure)", "total", pure_total, raw_batch, "vs raw batch INSERT")
    report(f"application_prescreen, {n:,} (full service)", "total", service_total, sum(raw_each),
           "vs raw INSERT, 1 tx/row")  # fmt: skip


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.argv = [sys.argv[0], "decision"]
    from bench.run import main

    raise SystemExit(main())
