"""The behavioural detectors and the health maths, on plain records (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from accalmie.analysis import behaviour
from accalmie.analysis.behaviour import ClientRecords, InvoiceRecord, Message, RevisionRecord
from accalmie.analysis.health import Snapshot, alerts_for, assess, decay
from accalmie.analysis.health_config import DEFAULT_CONFIG
from accalmie.analysis.walkaway import assess_walkaway

T0 = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)  # a Monday


def test_late_and_disputed_invoices_are_hits_with_their_figures():
    inv = InvoiceRecord(1, "F-1", dt.date(2026, 1, 5), dt.date(2026, 2, 4), None, True, "")
    hits = behaviour.late_payment(ClientRecords(invoices=[inv]), T0)
    late = next(h for h in hits if h.key.startswith("late_payment:late"))
    assert late.figures["days_late"] == (T0.date() - inv.due_on).days
    assert ("invoice", 1) in late.refs
    assert "impayée" in late.explanation["fr"] and "unpaid" in late.explanation["en"]
    assert any(h.figures.get("disputed") for h in hits)


def test_an_invoice_paid_within_the_grace_days_is_not_late_a_few_days_more_counts_a_little():
    on_time = InvoiceRecord(1, "F-1", dt.date(2026, 1, 5), dt.date(2026, 2, 4), dt.date(2026, 2, 6))
    assert behaviour.late_payment(ClientRecords(invoices=[on_time]), T0) == []
    five = InvoiceRecord(2, "F-2", dt.date(2026, 1, 5), dt.date(2026, 2, 4), dt.date(2026, 2, 9))
    (hit,) = behaviour.late_payment(ClientRecords(invoices=[five]), T0)
    assert hit.figures["days_late"] == 5
    assert hit.severity == DEFAULT_CONFIG.late_minor_severity < 0.5
    very = InvoiceRecord(3, "F-3", dt.date(2026, 1, 5), dt.date(2026, 1, 10), dt.date(2026, 2, 24))
    assert behaviour.late_payment(ClientRecords(invoices=[very]), T0)[0].severity == 1.0


def test_replies_slowing_against_the_clients_own_earlier_replies():
    def exchange(ref: int, day: int, hours: float) -> list[Message]:
        ours = Message(ref, T0 - dt.timedelta(days=day), False, thread=ref)
        answer = Message(
            ref + 1, ours.at + dt.timedelta(hours=hours), True, thread=ref, reply_to=ref
        )
        return [ours, answer]

    quick = exchange(10, 70, 2) + exchange(20, 63, 3)
    # Each reply alone stays under the single-reply limit (36 business hours)…
    slower = exchange(30, 30, 26) + exchange(40, 21, 30) + exchange(50, 14, 28)
    hits = behaviour.non_response(ClientRecords(messages=quick + slower), T0)
    assert not any(":slow:" in h.key for h in hits)
    # …but together they are far slower than this client's habit.
    trend = [h for h in hits if ":trend:" in h.key]
    assert trend and trend[-1].figures["recent_hours"] >= 26
    assert ("interaction", 51) in trend[-1].refs
    # A client who always takes about a day is not slowing down.
    steady = exchange(10, 70, 22) + exchange(20, 63, 20) + slower
    assert not any(
        ":trend:" in h.key for h in behaviour.non_response(ClientRecords(messages=steady), T0)
    )


def test_team_pulse_sliding_below_its_own_earlier_level():
    from accalmie.analysis.behaviour import PulseRecord

    weeks = [T0.date() - dt.timedelta(weeks=w) for w in range(8, 0, -1)]
    ratings = [5, 5, 4, 5, 5, 4, 4, 4]  # from 4.8 to 4: still above the strain level
    pulses = [PulseRecord(i, w, r) for i, (w, r) in enumerate(zip(weeks, ratings, strict=True))]
    hits = behaviour.team_strain(ClientRecords(pulses=pulses), T0)
    assert [h.key for h in hits] == [f"team_strain:slide:{weeks[-1].isoformat()}"]
    assert hits[0].figures == {"recent_rating": 4.0, "earlier_rating": 4.8}
    steady = [PulseRecord(i, w, 4) for i, w in enumerate(weeks)]
    assert behaviour.team_strain(ClientRecords(pulses=steady), T0) == []


def test_revision_rounds_beyond_the_contract_are_counted():
    rounds = [RevisionRecord(i, dt.date(2026, 1, 5 + i), 9, 2) for i in range(4)]
    hits = behaviour.revision_overrun(ClientRecords(revisions=rounds), T0)
    assert [h.figures["round"] for h in hits] == [3, 4]


def test_night_and_weekend_messages_in_the_clients_timezone():
    saturday = dt.datetime(2026, 2, 28, 10, tzinfo=dt.UTC)
    weekday_evening = dt.datetime(2026, 2, 25, 21, 30, tzinfo=dt.UTC)  # 22:30 in Paris
    weekday_noon = dt.datetime(2026, 2, 25, 11, tzinfo=dt.UTC)
    msgs = [
        Message(1, saturday, True, demanding=True),
        Message(2, weekday_evening, True),
        Message(3, weekday_noon, True),
    ]
    hits = behaviour.out_of_hours(ClientRecords(messages=msgs), T0)
    assert {h.refs[0][1] for h in hits} == {1, 2}
    assert max(hits, key=lambda h: h.severity).refs == (("interaction", 1),)


def test_slow_reply_against_the_clients_own_habit_and_unanswered_messages():
    msgs = []
    for i in range(4):  # quick answers first: the habit is 2 h
        ours = Message(10 + i, T0 - dt.timedelta(days=60 - i * 7), False, thread=i)
        msgs += [
            ours,
            Message(20 + i, ours.at + dt.timedelta(hours=2), True, thread=i, reply_to=ours.ref),
        ]
    slow = Message(30, T0 - dt.timedelta(days=20), False, thread=9)
    msgs += [slow, Message(31, slow.at + dt.timedelta(days=6), True, thread=9, reply_to=30)]
    msgs.append(Message(40, T0 - dt.timedelta(days=12), False, thread=12))  # never answered
    hits = behaviour.non_response(ClientRecords(messages=msgs), T0)
    keys = {h.key for h in hits}
    assert "non_response:slow:31" in keys
    assert "non_response:unanswered:40" in keys
    assert not any(k.startswith("non_response:slow:2") for k in keys)


def test_transactional_shift_against_the_clients_earlier_wording():
    early = [Message(i, T0 - dt.timedelta(days=90 - i), True, consultative=2) for i in range(3)]
    late = [
        Message(10 + i, T0 - dt.timedelta(days=10 - i), True, transactional=1) for i in range(3)
    ]
    hits = behaviour.transactional_shift(ClientRecords(messages=early + late), T0)
    assert hits and hits[0].figures == {"recent_ratio": 1.0, "earlier_ratio": 0.0}


def test_transactional_shift_reads_the_text_engines_consultative_and_supplier_hits():
    from accalmie.analysis.behaviour import TextHit

    early = [Message(i, T0 - dt.timedelta(days=90 - i), True) for i in range(3)]
    late = [Message(10 + i, T0 - dt.timedelta(days=10 - i), True) for i in range(2)]
    text = [TextHit(100 + m.ref, m.ref, m.at, "collaboration", 0.9) for m in early] + [
        TextHit(200 + m.ref, m.ref, m.at, "supplier_framing", 0.9) for m in late
    ]
    records = ClientRecords(messages=early + late, text_hits=text)
    (hit,) = behaviour.transactional_shift(records, T0)
    assert hit.figures == {"recent_ratio": 1.0, "earlier_ratio": 0.0}
    assert set(hit.refs) == {("interaction", 10), ("interaction", 11)}
    # The same words all along are no shift.
    steady = ClientRecords(
        messages=early + late,
        text_hits=text[3:]
        + [TextHit(300 + m.ref, m.ref, m.at, "supplier_framing", 0.9) for m in early],
    )
    assert behaviour.transactional_shift(steady, T0) == []


def test_small_signs_in_several_dimensions_make_a_watch():
    def hit(signal: str, ref: int) -> behaviour.Hit:
        return behaviour.Hit(signal, T0, 1.0, (("interaction", ref),), {}, key=f"k{ref}")

    one = assess([hit("late_payment", 1)], T0)
    assert one.status == "healthy" and one.dimensions["finance"] < 88
    two = assess([hit("late_payment", 1), hit("team_strain", 2)], T0)
    assert two.status == "watch" and two.driver == "broad"


def test_old_evidence_weighs_less_and_a_dimension_collapse_sets_the_status():
    assert decay(21, 21) == pytest.approx(0.5)
    inv = InvoiceRecord(1, "F-1", dt.date(2025, 11, 3), dt.date(2025, 12, 3), None, True, "")
    hits = behaviour.late_payment(ClientRecords(invoices=[inv]), T0)
    health = assess(hits, T0, records=25)
    assert health.dimensions["finance"] < 80
    assert health.dimensions["respect"] == 100
    assert health.status != "healthy" and health.driver == "finance"
    assert health.explain()[0].signal == "late_payment"
    assert ("invoice", 1) in health.explain()[0].refs
    assert assess([], T0).status == "healthy" and assess([], T0).confidence == 0


def test_unknown_or_inconsistent_settings_are_refused():
    with pytest.raises(ValueError, match="unknown"):
        DEFAULT_CONFIG.with_overrides({"half_lfe_days": 3})
    with pytest.raises(ValueError, match="business hours"):
        DEFAULT_CONFIG.with_overrides({"business_start_hour": 21})
    assert DEFAULT_CONFIG.with_overrides({"half_life_days": 7}).half_life_days == 7
    with pytest.raises(ValueError, match="signal_caps"):
        DEFAULT_CONFIG.with_overrides({"signal_caps": {"late_payment": 0}})
    with pytest.raises(ValueError, match="at least 1"):
        DEFAULT_CONFIG.with_overrides({"pulse_trend_weeks": 0})
    assert DEFAULT_CONFIG.with_overrides({"broad_slide_score": 80}).broad_slide_score == 80


def test_an_episode_raises_each_alert_once():
    d = dt.date(2026, 1, 5)
    history = [
        Snapshot(d, 95, "healthy"),
        Snapshot(d + dt.timedelta(7), 80, "watch"),
    ]
    first = alerts_for(history)
    assert {a.kind for a in first} == {"status", "drop"}
    later = [*history, Snapshot(d + dt.timedelta(14), 79, "watch")]
    # Same episode: the keys are the same, so storing them again raises nothing new.
    assert {a.key for a in alerts_for(later)} <= {a.key for a in first}
    # One healthy week in the middle of a slide is the same episode: no second alert.
    blip = [*later, Snapshot(d + dt.timedelta(21), 95, "healthy")]
    back = [*blip, Snapshot(d + dt.timedelta(28), 75, "watch")]
    assert {a.key for a in alerts_for(back)} <= {a.key for a in first}
    # Healthy for two weeks: a new episode after the recovery raises new alerts.
    recovered = [*blip, Snapshot(d + dt.timedelta(28), 95, "healthy")]
    again = [*recovered, Snapshot(d + dt.timedelta(35), 75, "watch")]
    assert alerts_for(again)
    assert {a.key for a in alerts_for(again)}.isdisjoint({a.key for a in first})


def test_walkaway_proposes_exit_on_the_manual_flag_alone():
    health = assess([], T0)
    assert assess_walkaway(health, []).proposed == "continue"
    assert assess_walkaway(health, [], illegal_or_unethical=True).proposed == "prepare_exit"


def test_walkaway_indicators_need_a_low_dimension_and_persistent_evidence():
    def late(ref: int, weeks_ago: int) -> behaviour.Hit:
        at = T0 - dt.timedelta(weeks=weeks_ago)
        return behaviour.Hit("late_payment", at, 2.0, (("invoice", ref),), {}, key=f"l{ref}")

    hits = [late(i, i) for i in range(4)]  # four weeks in a row, finance collapsing
    health = assess(hits, T0)
    assert health.dimensions["finance"] < DEFAULT_CONFIG.walkaway_dimension_below
    result = assess_walkaway(health, hits)
    assert [i.key for i in result.met] == ["financial_strain"]
    assert result.proposed == "repair_plan"
    stricter = DEFAULT_CONFIG.with_overrides({"walkaway_min_weeks": 5})
    assert assess_walkaway(health, hits, config=stricter).proposed == "continue"


@pytest.mark.parametrize("seed", range(12))
def test_an_ordinary_client_with_ordinary_noise_stays_healthy(seed):
    """GIVEN half a year of an ordinary relationship with random but normal ups and downs
    (answers within hours to a day, pulses of 3 to 5, invoices paid around their due date,
    mixed wording) WHEN scored every week THEN it never leaves healthy: no false alarm."""
    import random

    from accalmie.analysis.behaviour import PulseRecord, TextHit

    rng = random.Random(seed)
    start = T0 - dt.timedelta(weeks=26)
    messages, pulses, invoices, text = [], [], [], []
    ref = 0

    def at(week: int) -> dt.datetime:
        day = start + dt.timedelta(weeks=week, days=rng.randint(0, 4))
        return day.replace(hour=rng.randint(7, 15))  # UTC: 9:00–17:00 in Paris

    for week in range(26):
        for _ in range(rng.randint(1, 2)):  # what we start; most get an answer
            ref += 2
            ours = Message(ref, at(week), False, thread=ref)
            messages.append(ours)
            if rng.random() < 0.9:
                hours = rng.uniform(1, 20)
                answer = ours.at + dt.timedelta(hours=hours)
                if not 7 <= answer.hour < 17:  # people answer in working hours
                    next_day = answer.date() + dt.timedelta(days=answer.hour >= 17)
                    answer = dt.datetime.combine(next_day, dt.time(8), tzinfo=dt.UTC)
                if answer.weekday() >= 5:
                    answer += dt.timedelta(days=7 - answer.weekday())
                messages.append(
                    Message(
                        ref + 1,
                        answer,
                        True,
                        thread=ref,
                        reply_to=ref,
                        consultative=rng.randint(0, 1),
                        transactional=rng.randint(0, 1),
                    )
                )
                if rng.random() < 0.3:
                    text.append(TextHit(ref, ref + 1, answer, "appreciation", 0.9))
        for member in range(3):
            pulses.append(
                PulseRecord(
                    week * 3 + member,
                    start.date() + dt.timedelta(weeks=week),
                    rng.randint(3, 5) if rng.random() < 0.2 else rng.randint(4, 5),
                )
            )
        if week % 5 == 1:
            issued = (start + dt.timedelta(weeks=week)).date()
            due = issued + dt.timedelta(days=30)
            paid = due + dt.timedelta(days=rng.randint(-10, 2))
            invoices.append(InvoiceRecord(week, f"F-{week}", issued, due, paid))
    records = ClientRecords(messages=messages, pulses=pulses, invoices=invoices, text_hits=text)
    for week in range(4, 27):
        as_of = start + dt.timedelta(weeks=week)
        hits = behaviour.detect(records, as_of) + behaviour.text_hits_as_hits(text, as_of)
        health = assess(hits, as_of, records=30)
        assert health.status == "healthy", (week, health.as_dict(), [h.key for h in hits][-8:])
