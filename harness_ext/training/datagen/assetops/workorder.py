"""WorkOrderAgent intents: work-order lookups, events, predictions, alert analysis, and
the planning questions built on them (bundling, reviews, priorities, life-cycle).

Work-order windows are dates (``YYYY-MM-DD``, inclusive). Summaries, bundles and
decisions that no tool makes are reasoning-only steps after the lookups.
"""

from __future__ import annotations

import random
from datetime import date

from harness_ext.planning import builder
from harness_ext.planning.plans import Step
from harness_ext.training.datagen.assetops.common import (
    ALERT_RULES,
    KPI_ANOMALIES,
    PHRASES,
    Drafted,
    chiller_with_equipment,
    equipment,
    equipment_text,
    span,
    template,
    wo_step,
)
from harness_ext.training.datagen.phrasing import (
    capitalise,
    expand,
    month_span,
    pick,
    random_span,
    render,
    two_month_span,
    years_span,
)

# Life-cycle questions: (question key, tools over the whole history; "alerts" = events
# then alert-to-failure on their rules).
_LONGTERM: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("wo_longterm.failure_forecast", ("get_events", "predict_next_work_order")),
    ("wo_longterm.rank_alerts", ("alerts",)),
    ("wo_longterm.project_counts", ("get_preventive_work_orders", "get_corrective_work_orders")),
    ("wo_longterm.alert_gaps", ("alerts",)),
    ("wo_longterm.budget_drivers", ("get_events",)),
    ("wo_longterm.replacement", ("get_corrective_work_orders",)),
    ("wo_longterm.clusters", ("get_events", "get_corrective_work_orders")),
)
# Alert/anomaly questions that name no equipment are grounded on the chiller of the
# benchmark's alert and anomaly scenarios (the gold convention).
FLEET_EQUIPMENT = "CWC04009"


def _alert_analysis(eq: str) -> tuple[Step, Step]:
    """Events, then how the alert rules found in them lead to work orders."""
    task = f"Analyze how the alert rules found in the events lead to work orders on {eq}."
    return wo_step("get_events", eq), builder.alert_to_failure(eq, builder.ref(1), task)


def wo_lookup(rng: random.Random) -> Drafted:
    """One work-order query over a year or a month or two."""
    eq = equipment(rng)
    window = span(rng, ("year", "year", "month", "two_months"))
    tool, noun = pick(rng, PHRASES["work_order_nouns"])
    q = render(
        template(rng, "wo_lookup"),
        rng,
        {"n": expand(noun, rng), "e": equipment_text(rng, eq), "d": window.text},
    )
    return Drafted(q, builder.plan(wo_step(tool, eq, window)), f"wo_{tool}", "Workorder")


def wo_events_summary(rng: random.Random) -> Drafted:
    """Event summaries and daily counts: ``get_events`` alone (the gold convention: the
    summary is the answer's wording, not a tool)."""
    eq = equipment(rng)
    window = span(rng, ("year", "month", "two_months"))
    if rng.random() < 0.5:
        groups = pick(rng, PHRASES["event_groups"])
        q = render(
            template(rng, "wo_events_summary.daily_count"),
            rng,
            {"g": groups, "d": window.text, "e": equipment_text(rng, eq)},
        )
    else:
        q = render(
            template(rng, "wo_events_summary.summary"),
            rng,
            {"d": window.text, "e": equipment_text(rng, eq)},
        )
    plan = builder.plan(wo_step("get_events", eq, window))
    return Drafted(q, plan, "wo_events_summary", "Workorder")


def wo_predict(rng: random.Random) -> Drafted:
    eq = equipment(rng)
    q = render(template(rng, "wo_predict"), rng, {"e": equipment_text(rng, eq)})
    plan = builder.plan(wo_step("predict_next_work_order", eq))
    return Drafted(q, plan, "wo_predict", "Workorder")


def wo_alert_failure(rng: random.Random) -> Drafted:
    """How one alert rule leads to work orders, over all time or a window."""
    eq, rule = equipment(rng), pick(rng, ALERT_RULES)
    window = span(rng, ("year", "two_months")) if rng.random() < 0.3 else None
    q = render(
        template(rng, "wo_alert_failure"),
        rng,
        {"r": rule, "e": equipment_text(rng, eq), "d": f" {window.text}" if window else ""},
    )
    analysis = builder.alert_to_failure(
        eq,
        rule,
        f"Analyze how alert rule {rule} on {eq} leads to work orders.",
        window.start if window else None,
        window.end if window else None,
    )
    return Drafted(q, builder.plan(analysis), "wo_alert_failure", "Workorder")


def wo_failure_codes(rng: random.Random) -> Drafted:
    q = render(template(rng, "wo_failure_codes"), rng, {})
    return Drafted(q, builder.plan(builder.failure_codes()), "wo_failure_codes", "Workorder")


def wo_bundle(rng: random.Random) -> Drafted:
    """Corrective work orders of a year (or three) grouped into two-week bundles."""
    eq = equipment(rng)
    window = pick(rng, (span(rng, ("year",)), random_span(rng, (2017,), ("year",))))
    if rng.random() < 0.3:
        first = pick(rng, (2016, 2017, 2018))
        window = years_span(rng, first, first + 2)
    q = render(template(rng, "wo_bundle"), rng, {"e": equipment_text(rng, eq), "d": window.text})
    plan = builder.plan(
        wo_step("get_corrective_work_orders", eq, window),
        builder.reason(
            "Group corrective work orders that fall within two weeks of each other into bundles.",
            (1,),
            "The bundles and the work orders in each.",
        ),
    )
    return Drafted(q, plan, "wo_bundle", "Workorder")


def wo_recommend(rng: random.Random) -> Drafted:
    """Work orders to answer an anomaly: events and the work-order distribution; for a
    named KPI anomaly, events and the failure-code table."""
    eq = equipment(rng)
    kpis = rng.sample(list(KPI_ANOMALIES), rng.choice((1, 1, 2)))
    k = pick(rng, PHRASES["top_k"])
    if rng.random() < 0.4:
        q = render(
            template(rng, "wo_recommend.any_anomaly"), rng, {"e": equipment_text(rng, eq), "k": k}
        )
        second = wo_step("get_work_order_distribution", eq)
    else:
        noun = "anomalies" if len(kpis) > 1 else "an anomaly"
        q = render(
            template(rng, "wo_recommend.kpi"),
            rng,
            {
                "e": equipment_text(rng, eq),
                "kpi": " and ".join(f"'{x}'" for x in kpis),
                "k": k,
                "n": noun,
                "N": capitalise(noun),
                "v": "were" if len(kpis) > 1 else "was",
            },
        )
        second = builder.failure_codes()
    plan = builder.plan(wo_step("get_events", eq), second)
    return Drafted(q, plan, "wo_recommend", "Workorder")


def wo_review(rng: random.Random) -> Drafted:
    """Reviewing a past month: its events; asking about scheduled corrective work and a new
    work order adds corrective work orders since the month started and the prediction;
    asking which work order the alerts call for adds the failure-code table."""
    eq, who = chiller_with_equipment(rng)
    year = pick(rng, (2019, 2020, 2021))
    month = rng.randint(2, 11)
    window = month_span(rng, year, month)
    slots = {"nm": date(year, month + 1, 1).strftime("%B %Y"), "w": who, "d": window.text}
    events = wo_step("get_events", eq, window)
    roll = rng.random()
    if roll < 0.4:
        q = render(template(rng, "wo_review.events"), rng, slots)
        return Drafted(q, builder.plan(events), "wo_review", "Workorder")
    if roll < 0.7:
        q = render(template(rng, "wo_review.corrective"), rng, slots)
        plan = builder.plan(
            events,
            builder.work_orders("get_corrective_work_orders", eq, start=window.start),
            builder.work_orders("predict_next_work_order", eq, end=window.end),
        )
        return Drafted(q, plan, "wo_review_cm", "Workorder")
    q = render(template(rng, "wo_review.alerts"), rng, slots)
    return Drafted(
        q, builder.plan(events, builder.failure_codes()), "wo_review_alerts", "Workorder"
    )


def wo_decide_new(rng: random.Random) -> Drafted:
    """Whether to raise a new work order: events of the period, the prediction, a decision."""
    eq, who = chiller_with_equipment(rng)
    year = pick(rng, (2019, 2020, 2021))
    month = rng.randint(1, 10)
    window = two_month_span(rng, year, month)
    after = date(year, month + 2, 1).strftime("%B %Y")
    q = render(template(rng, "wo_decide_new"), rng, {"d": window.text, "w": who, "a": after})
    plan = builder.plan(
        wo_step("get_events", eq, window),
        builder.work_orders("predict_next_work_order", eq, end=window.end),
        builder.reason(
            "Decide whether a new work order is needed now or it is too early.",
            (1, 2),
            "A recommendation: raise a work order now, or wait.",
        ),
    )
    return Drafted(q, plan, "wo_decide_new", "Workorder")


def wo_prioritize(rng: random.Random) -> Drafted:
    """Priorities for July from the history up to the end of June: work orders and the
    prediction, both ending on June 30."""
    eq, who = chiller_with_equipment(rng)
    year = pick(rng, (2019, 2020, 2021))
    end = f"{year}-06-30"
    q = render(template(rng, "wo_prioritize"), rng, {"y": year, "w": who})
    plan = builder.plan(
        builder.work_orders("get_work_orders", eq, end=end),
        builder.work_orders("predict_next_work_order", eq, end=end),
    )
    return Drafted(q, plan, "wo_prioritize", "Workorder")


def wo_longterm(rng: random.Random) -> Drafted:
    """Life-cycle and budgeting questions over the whole history of one piece of equipment;
    a question with a ``{n}``-year horizon draws 5 or 10."""
    eq = equipment(rng)
    e = equipment_text(rng, eq)
    key, tools = pick(rng, _LONGTERM)
    text = template(rng, key)
    slots = {"e": e, "n": pick(rng, (5, 10))} if "{n}" in text else {"e": e}
    q = render(text, rng, slots)
    steps = _alert_analysis(eq) if tools == ("alerts",) else tuple(wo_step(t, eq) for t in tools)
    return Drafted(q, builder.plan(*steps), "wo_longterm", "Workorder")


def wo_fleet_analysis(rng: random.Random) -> Drafted:
    """Alert/anomaly analysis that names no equipment: events of ``FLEET_EQUIPMENT``, with
    the failure-code table when the question asks for causes or actions."""
    with_codes = rng.random() < 0.5
    key = "wo_fleet_analysis.with_codes" if with_codes else "wo_fleet_analysis.events_only"
    q = render(template(rng, key), rng, {})
    events = wo_step("get_events", FLEET_EQUIPMENT)
    plan = builder.plan(events, builder.failure_codes()) if with_codes else builder.plan(events)
    return Drafted(q, plan, "wo_fleet_analysis", "Workorder")


def wo_alert_reasoning(rng: random.Random) -> Drafted:
    """Using alerts to improve maintenance: events, then alert-to-failure on their rules."""
    eq, who = chiller_with_equipment(rng)
    q = render(template(rng, "wo_alert_reasoning"), rng, {"w": who})
    return Drafted(q, builder.plan(*_alert_analysis(eq)), "wo_alert_reasoning", "Workorder")
