"""Playbooks, selection rules and reply drafts: plain functions, no database."""

from __future__ import annotations

import ast
import email
import tomllib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email import policy
from pathlib import Path

import pytest

from accalmie.analysis.signals import DIMENSIONS, GOOD_SIGNALS
from accalmie.playbooks import (
    ContractFacts,
    Draft,
    DraftContext,
    InvoiceLine,
    MilestoneLine,
    MissingPlaceholders,
    PlaybookError,
    Situation,
    draft_to_eml,
    load_playbooks,
    load_templates,
    render_draft,
    select_playbooks,
)
from accalmie.playbooks.catalog import OUTCOME_PLAYBOOKS, SIGNAL_PLAYBOOKS
from accalmie.playbooks.drafts import PLACEHOLDERS, TemplateError, parse_template
from accalmie.playbooks.formatting import format_date, format_money, format_number
from accalmie.playbooks.rules import parse_condition

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "accalmie" / "playbooks"
STORIES = Path(__file__).resolve().parents[2] / "src" / "accalmie" / "demo" / "stories"
STORY_KEYS = ("anxious", "belittler", "good", "late_payer", "scope_creep", "silent", "tone_slide")
REQUIRED_TEMPLATES = (
    "acknowledge_deescalate",
    "diplomatic_no",
    "scope_reminder_change_order",
    "trust_repair",
    "weekly_update",
    "single_point_of_contact",
    "behaviour_conversation",
    "termination_letter",
)
WEEK_ZERO = date(2026, 6, 1)  # a Monday: week 0 of the demo stories
CURRENT_WEEK = 16
PEOPLE = {"claire": "Claire Martin", "hugo": "Hugo Lefèvre"}
ABOUT = {
    "fr": {
        "topic": "le calendrier de mise en ligne",
        "concern": "d'être prêts à temps pour la campagne",
        "request": "une version allemande de la page d'accueil",
        "behaviour": "plusieurs messages ont mis en cause la compétence de membres de l'équipe",
        "alternatives": [
            "Livrer la version allemande après la mise en ligne",
            "La chiffrer en avenant",
        ],
        "next_steps": ["Point d'avancement écrit chaque jour à 17 h", "Recette avancée au jeudi"],
        "open_questions": ["Validation des textes de la page d'accueil, avant vendredi"],
    },
    "en": {
        "topic": "the launch schedule",
        "concern": "being ready in time for the trade show",
        "request": "a German version of the homepage",
        "behaviour": "several messages questioned the competence of members of the team",
        "alternatives": ["Deliver the German version after launch", "Quote it as a change order"],
        "next_steps": ["A written update every day at 5pm", "Acceptance testing moved to Thursday"],
        "open_questions": ["Sign-off of the homepage copy, by Friday"],
    },
}


# -- demo data -----------------------------------------------------------------------------


def load_story(key: str) -> dict:
    return tomllib.loads((STORIES / f"{key}.toml").read_text("utf-8"))


def week(number: int) -> date:
    return WEEK_ZERO + timedelta(weeks=number)


def story_context(key: str, lang: str) -> DraftContext:
    """What the lead's view would build from the demo records of one story."""
    story = load_story(key)
    contract = story["contract"]
    today = week(CURRENT_WEEK) + timedelta(days=2)
    contact = next(c for c in story["contacts"] if c["point_of_contact"])
    others = [f"{c['name']} ({c['role']})" for c in story["contacts"] if c is not contact]
    milestones = [
        MilestoneLine(m["title"], week(m["week"]), week(m["week"]) if m["week"] < 16 else None)
        for m in contract["milestones"]
    ]
    terms = contract["payment_terms_days"]
    overdue = [
        InvoiceLine(
            i["number"],
            Decimal(i["amount"]),
            week(i["week"]),
            week(i["week"]) + timedelta(days=terms),
        )
        for i in story["invoices"]
        if "paid_after_days" not in i and week(i["week"]) + timedelta(days=terms) < today
    ]
    return DraftContext(
        today=today,
        client_name=story["name"],
        contact_name=contact["name"],
        agency_name="Atelier Boréal",
        sender_name=PEOPLE[story["account_manager"]],
        director_name="Camille Roussel",
        stakeholders=others,
        project_name=story["project"]["name"],
        milestones=milestones,
        contract_reference=contract["reference"],
        scope_items=contract["scope"],
        scope_exclusions=contract["exclusions"],
        revision_rounds_allowed=contract["revision_rounds_allowed"],
        revision_rounds_used=sum(1 for r in story["revisions"] if r["week"] <= CURRENT_WEEK),
        payment_terms_days=terms,
        payment_terms=contract["payment_terms"],
        termination_clause=contract["termination_clause"],
        notice_days=contract["notice_period_days"],
        confidentiality=contract["confidentiality"],
        overdue_invoices=overdue,
        **ABOUT[lang],
    )


def full_context(lang: str = "fr") -> DraftContext:
    """A context where every placeholder has a value (the late payer has unpaid invoices)."""
    return story_context("late_payer", lang)


# -- playbooks -----------------------------------------------------------------------------


def test_one_playbook_per_warning_signal_and_per_outcome():
    warning_signals = set(DIMENSIONS) - GOOD_SIGNALS - {"timely_feedback"}
    assert set(SIGNAL_PLAYBOOKS) == warning_signals
    assert list(load_playbooks()) == [*SIGNAL_PLAYBOOKS, *OUTCOME_PLAYBOOKS]


@pytest.mark.parametrize("playbook_id", [*SIGNAL_PLAYBOOKS, *OUTCOME_PLAYBOOKS])
def test_playbook_has_both_languages_and_known_templates(playbook_id):
    playbook = load_playbooks()[playbook_id]
    templates = load_templates()
    assert playbook.kind == ("outcome" if playbook_id in OUTCOME_PLAYBOOKS else "signal")
    for lang in ("fr", "en"):
        assert playbook.title[lang].strip() and playbook.summary[lang].strip()
    assert 3 <= len(playbook.actions) <= 6
    for action in playbook.actions:
        for lang in ("fr", "en"):
            assert action.title[lang].strip() and action.why[lang].strip()
        assert action.owner in ("account_manager", "director", "team_member")
        assert action.due_days >= 0
        assert action.template is None or action.template in templates
    assert playbook.title["fr"] != playbook.title["en"]


def test_every_template_is_used_by_a_playbook():
    used = {t for p in load_playbooks().values() for t in p.templates}
    assert used == set(load_templates())


def test_action_due_date():
    action = load_playbooks()["scope_creep"].action("send_change_order")
    assert action.due_on(date(2026, 11, 23)) == date(2026, 11, 28)
    with pytest.raises(KeyError):
        load_playbooks()["scope_creep"].action("nothing")


def test_package_has_no_django_import():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path


# -- reply drafts --------------------------------------------------------------------------


def test_required_templates_exist_in_both_languages():
    templates = load_templates()
    for template_id in REQUIRED_TEMPLATES:
        assert set(templates[template_id].versions) == {"fr", "en"}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("template_id", sorted(load_templates()))
def test_every_template_renders_with_demo_data(template_id, lang):
    context = full_context(lang)
    draft = render_draft(template_id, lang, context)
    assert draft.lang == lang and draft.template_id == template_id
    for text in (draft.subject, draft.body):
        assert "{" not in text and "}" not in text
        assert "[à compléter" not in text and "[to fill in" not in text
    assert "Élodie" in draft.body
    assert "Atelier Boréal" in draft.body
    assert "\n\n\n" not in draft.body


@pytest.mark.parametrize("key", STORY_KEYS)
def test_every_template_renders_for_each_story_in_its_language(key):
    lang = load_story(key)["language"]
    context = story_context(key, lang)
    for template_id in load_templates():
        if (
            template_id in ("payment_reminder", "work_pause_notice")
            and not context.overdue_invoices
        ):
            with pytest.raises(MissingPlaceholders) as error:
                render_draft(template_id, lang, context)
            assert {"overdue_invoices", "overdue_total"} <= set(error.value.names)
            continue
        draft = render_draft(template_id, lang, context)
        assert "{" not in draft.subject + draft.body and "}" not in draft.subject + draft.body


def test_missing_values_raise_a_clear_error():
    context = DraftContext(today=date(2026, 11, 23), contact_name="Laurence Achard")
    with pytest.raises(MissingPlaceholders) as error:
        render_draft("termination_letter", "fr", context)
    names = error.value.names
    assert {"project_name", "notice_days", "termination_date", "confidentiality"} <= set(names)
    assert "contact_first_name" not in names and "handover_steps" not in names  # has defaults
    message = str(error.value)
    assert "termination_letter" in message and "notice_days" in message


def test_fill_missing_marks_the_gaps_for_an_editor():
    context = DraftContext(today=date(2026, 11, 23), contact_name="Daniel Hartley")
    draft = render_draft("diplomatic_no", "en", context, fill_missing=True)
    assert "[to fill in: the request]" in draft.subject
    assert "- [to fill in: alternatives offered]" in draft.body
    assert "{" not in draft.body
    french = render_draft("diplomatic_no", "fr", context, fill_missing=True)
    assert "[à compléter : la demande]" in french.subject


def test_values_are_inserted_as_they_are():
    context = full_context("en")
    context.client_name = "{agency_name} {0.__class__}"
    draft = render_draft("single_point_of_contact", "en", context)
    assert "At {agency_name} {0.__class__}: Élodie Perrochet" in draft.body


def test_templates_reject_unknown_or_misplaced_placeholders():
    body = {"subject": "Hello {project_name}", "body": "Dear {nobody},"}
    with pytest.raises(TemplateError, match="unknown placeholder"):
        parse_template({"id": "x", "title_fr": "x", "title_en": "x", "fr": body, "en": body}, "x")
    inline = {"subject": "Hi", "body": "Steps: {next_steps}"}
    with pytest.raises(TemplateError, match="alone on its own line"):
        parse_template(
            {"id": "x", "title_fr": "x", "title_en": "x", "fr": inline, "en": inline}, "x"
        )
    assert {"contact_first_name", "notice_days", "termination_date"} <= set(PLACEHOLDERS)


def test_termination_letter_takes_its_terms_from_the_contract():
    context = story_context("belittler", "fr")
    draft = render_draft("termination_letter", "fr", context)
    assert context.today == date(2026, 9, 23)
    assert "préavis de 60 jours : elle prendra effet le 22 novembre 2026" in draft.body
    assert "« Chacune des parties traite comme confidentielles" in draft.body
    assert "- Remise des fichiers sources" in draft.body  # the default hand-over plan
    assert "- 5 octobre 2026 : Mise en ligne" in draft.body  # the open milestone
    assert draft.subject == (
        "Site du groupe et sites des neuf hôtels : résiliation du contrat AB-2026-023"
    )
    english = render_draft("termination_letter", "en", context)
    assert "it will take effect on 22 November 2026" in english.body
    context.handover_steps = ["Export du moteur de réservation"]
    assert (
        "- Export du moteur de réservation\n"
        in render_draft("termination_letter", "fr", context).body
    )


def test_weekly_update_lists_done_and_next_milestones():
    context = story_context("anxious", "fr")
    body = render_draft("weekly_update", "fr", context).body
    done = body.split("Étapes franchies :\n")[1].split("\n\n")[0].splitlines()
    upcoming = body.split("Prochaines étapes :\n")[1].split("\n\n")[0].splitlines()
    assert done == [
        "- 20 juillet 2026 : Validation des maquettes",
        "- 31 août 2026 : Recette de la première version",
        "- 14 septembre 2026 : Mise en ligne de la première version",
    ]
    assert upcoming == [
        "- 2 novembre 2026 : Livraison de la version 2",
        "- 23 novembre 2026 : Bilan de lancement",
    ]
    context.milestones = []
    body = render_draft("weekly_update", "fr", context).body
    assert "- Pas de nouvelle étape franchie depuis le dernier point." in body


def test_scope_reminder_lists_the_contract_scope():
    context = story_context("scope_creep", "en")
    draft = render_draft("scope_reminder_change_order", "en", context)
    assert "contract AB-2026-026, which covers:\n- " in draft.body
    assert "Revision rounds in the contract: 2. Used so far: 6." in draft.body
    assert "Within 3 working days we will send you an estimate" in draft.body


def test_payment_reminder_lists_unpaid_invoices_with_amounts():
    context = story_context("late_payer", "fr")
    body = render_draft("payment_reminder", "fr", context).body
    assert "- Facture F-2026-054 du 17 août 2026 : 4\u202f200,00\u00a0€, échue le" in body
    english = render_draft("payment_reminder", "en", story_context("late_payer", "en")).body
    assert "- Invoice F-2026-054 of 17 August 2026: €4,200.00, due on 16 September 2026" in english


def test_dates_and_numbers_per_language():
    assert format_date(date(2026, 11, 23), "fr") == "23 novembre 2026"
    assert format_date(date(2026, 11, 23), "en") == "23 November 2026"
    assert format_date(date(2026, 8, 1), "fr") == "1er août 2026"
    assert format_date(date(2026, 11, 24), "fr", weekday=True) == "mardi 24 novembre 2026"
    assert format_date(date(2026, 11, 24), "en", weekday=True) == "Tuesday 24 November 2026"
    assert format_money(Decimal("8400"), "EUR", "fr") == "8\u202f400,00\u00a0€"
    assert format_money(8400, "EUR", "en") == "€8,400.00"
    assert format_money(1200.5, "GBP", "en") == "£1,200.50"
    assert format_number(1234567, "fr") == "1\u202f234\u202f567"


def test_call_date_defaults_to_the_next_working_day():
    friday = date(2026, 11, 27)
    context = DraftContext(today=friday, contact_name="Rachel Hughes", project_name="Shop")
    draft = render_draft("check_in_request", "en", context, fill_missing=True)
    assert "Could we talk on Monday 30 November 2026?" in draft.body


def test_eml_round_trip_keeps_accents():
    draft = render_draft("termination_letter", "fr", story_context("belittler", "fr"))
    when = datetime(2026, 9, 23, 10, 30, tzinfo=UTC)
    raw = draft_to_eml(
        draft,
        "Claire Martin <claire@atelier-boreal.fr>",
        "Laurence Achard <laurence.achard@hotels-castaigne.fr>",
        when=when,
    )
    assert raw.isascii()  # headers encoded, body quoted-printable
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == draft.subject
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Date"].datetime == when
    assert message["Message-ID"].endswith("@atelier-boreal.fr>")
    assert message["To"].addresses[0].display_name == "Laurence Achard"
    assert message["Content-Language"] == "fr"
    assert message["X-Unsent"] == "1"
    body = message.get_content()
    assert "Bonjour Laurence," in body and "« Chacune des parties" in body
    assert body.replace("\r\n", "\n") == draft.body


def test_eml_subject_keeps_its_spaces_between_encoded_words():
    """A long subject with quotes and accents around a space used to lose that space."""
    subject = (
        "Parcelwise website and dashboard UI: your request regarding “Hand-over package” "
        "and « Ça va être très long » — 8 400,00 € au total, à revoir"
    )
    raw = draft_to_eml(Draft(subject, "Hello\n", "en"), "a@b.fr", "c@d.io")
    assert raw.isascii()
    assert email.message_from_bytes(raw, policy=policy.default)["Subject"] == subject


# -- choosing playbooks --------------------------------------------------------------------


def actions(recommendations) -> set[str]:
    return {f"{r.playbook_id}.{a.id}" for r in recommendations for a in r.playbook.actions}


def templates(recommendations) -> set[str]:
    return {t for r in recommendations for t in r.playbook.templates}


def ids(recommendations) -> list[str]:
    return [r.playbook_id for r in recommendations]


def test_anxious_client_gets_updates_a_single_contact_and_boundaries():
    situation = Situation(
        hits={
            "micromanagement": 9,
            "out_of_hours": 7,
            "channel_bypass": 5,
            "urgency_pressure": 4,
            "negativity": 2,
            "passive_aggression": 1,
        },
        status="at_risk",
        scores={
            "respect": 68,
            "scope": 85,
            "communication": 22,
            "finance": 95,
            "team": 45,
            "partnership": 60,
        },
        contract=ContractFacts(3, 2, True, 30, True, 30),
    )
    chosen = select_playbooks(situation)
    assert ids(chosen)[0] == "team_strain"  # team score 45: protecting the team comes first
    assert ids(chosen)[1] == "micromanagement"
    assert {"micromanagement", "channel_bypass", "out_of_hours", "urgency_pressure"} <= set(
        ids(chosen)
    )
    assert {
        "micromanagement.regular_update",
        "micromanagement.single_contact",
        "channel_bypass.brief_stakeholders",
        "out_of_hours.set_hours",
    } <= actions(chosen)
    assert {"weekly_update", "single_point_of_contact", "availability_boundaries"} <= templates(
        chosen
    )
    assert not {"prepare_exit", "late_payment", "contempt", "negativity"} & set(ids(chosen))
    micromanagement = next(r for r in chosen if r.playbook_id == "micromanagement")
    assert micromanagement.reason_in("fr") == (
        "9 demandes de contrôle ou de point d'étape en 30 jours, "
        "7 messages du soir ou du week-end en 30 jours, "
        "5 messages adressés hors de l'interlocuteur convenu en 30 jours, communication : 22/100."
    )


def test_scope_creep_startup_gets_the_scope_reminder_and_change_order():
    situation = Situation(
        hits={
            "scope_creep": 5,
            "direction_change": 2,
            "urgency_pressure": 2,
            "unrealistic_expectations": 1,
            "resistance_to_feedback": 1,
            "blame_shifting": 1,
        },
        status="at_risk",
        scores={
            "scope": 28,
            "respect": 70,
            "partnership": 55,
            "team": 62,
            "communication": 60,
            "finance": 90,
        },
        contract=ContractFacts(2, 4, True, 30, True, 30),
        lang="en",
    )
    chosen = select_playbooks(situation)
    assert ids(chosen)[0] == "scope_creep"
    assert {"revision_overrun", "direction_change", "unrealistic_expectations"} <= set(ids(chosen))
    assert {
        "scope_creep.remind_scope",
        "scope_creep.send_change_order",
        "revision_overrun.remind_rounds",
        "direction_change.freeze_date",
    } <= actions(chosen)
    assert "scope_reminder_change_order" in templates(chosen)
    assert chosen[0].reason_in("en") == (
        "5 out-of-scope requests in 30 days, 4 revision rounds of 2 agreed, "
        "expectations and scope: 28/100."
    )
    assert chosen[0].reason_in("fr") == (
        "5 demandes hors périmètre en 30 jours, 4 tours de révision sur 2 prévus, "
        "attentes et périmètre : 28/100."
    )


def test_tone_slide_puts_the_director_in_and_answers_threats_with_facts():
    situation = Situation(
        hits={
            "intimidation": 5,
            "manipulation": 3,
            "supplier_framing": 3,
            "passive_aggression": 2,
            "transactional_shift": 2,
            "impoliteness": 1,
        },
        status="critical",
        scores={
            "respect": 18,
            "partnership": 22,
            "team": 48,
            "finance": 55,
            "communication": 60,
            "scope": 70,
        },
        contract=ContractFacts(2, 2, True, 45, True, 30),
        overdue_invoices=1,
        days_overdue=12,
    )
    chosen = select_playbooks(situation)
    assert ids(chosen)[:2] == ["intimidation", "manipulation"]
    assert {"supplier_framing", "transactional_shift", "team_strain", "late_payment"} <= set(
        ids(chosen)
    )
    assert {
        "intimidation.alert_director",
        "intimidation.check_contract",
        "intimidation.call_then_confirm",
        "manipulation.check_claims",
        "supplier_framing.no_price_war",
        "transactional_shift.meet_decision_maker",
    } <= actions(chosen)
    assert "prepare_exit" not in ids(chosen)  # the team still holds: no exit without assessment
    assert chosen[0].reason_in("fr") == (
        "5 menaces ou ultimatums en 30 jours, respect et ton : 18/100, "
        "1 facture impayée après échéance (la plus ancienne depuis 12 jours)."
    )


def test_silent_client_gets_a_call_then_a_written_confirmation():
    situation = Situation(
        hits={"non_response": 4, "impoliteness": 1, "direction_change": 1},
        status="at_risk",
        scores={
            "communication": 20,
            "partnership": 50,
            "team": 62,
            "finance": 70,
            "respect": 90,
            "scope": 80,
        },
        contract=ContractFacts(2, 3, True, 30, True, 30),
        overdue_invoices=1,
        days_overdue=10,
        lang="en",
    )
    chosen = select_playbooks(situation)
    assert ids(chosen)[0] == "non_response"
    assert chosen[0].playbook.actions[0].id == "call_first"
    assert chosen[0].playbook.actions[0].template == "call_recap"
    assert {"non_response.list_open_items", "non_response.propose_pause"} <= actions(chosen)
    assert "check_in_request" in templates(chosen)
    assert (
        chosen[0]
        .reason_in("en")
        .startswith("4 questions or reminders left unanswered in 30 days, communication: 20/100")
    )


def test_late_payer_gets_a_firm_reminder_then_a_pause():
    situation = Situation(
        hits={"late_payment": 3, "manipulation": 2, "passive_aggression": 2, "negativity": 1},
        status="at_risk",
        scores={
            "finance": 12,
            "respect": 55,
            "team": 58,
            "partnership": 70,
            "communication": 75,
            "scope": 85,
        },
        contract=ContractFacts(2, 2, True, 30, True, 30),
        overdue_invoices=3,
        days_overdue=45,
    )
    chosen = select_playbooks(situation)
    assert "late_payment" in ids(chosen)[:2]
    assert {
        "late_payment.remind_firmly",
        "late_payment.call_payer",
        "late_payment.pause_work",
        "manipulation.check_claims",
    } <= actions(chosen)
    assert {"payment_reminder", "work_pause_notice"} <= templates(chosen)
    late = next(r for r in chosen if r.playbook_id == "late_payment")
    assert late.reason_in("fr") == (
        "3 factures impayées après échéance (la plus ancienne depuis 45 jours), "
        "3 factures payées en retard en 30 jours, paiement prévu à 30 jours, finances : 12/100."
    )


BELITTLER = dict(
    hits={
        "contempt": 4,
        "passive_aggression": 3,
        "impoliteness": 3,
        "blame_shifting": 3,
        "negativity": 2,
        "team_strain": 3,
    },
    status="critical",
    scores={
        "respect": 12,
        "team": 18,
        "partnership": 35,
        "scope": 60,
        "communication": 55,
        "finance": 85,
    },
    contract=ContractFacts(3, 3, True, 60, True, 30),
)


def test_belittler_at_critical_talks_escalates_and_prepares_the_exit():
    chosen = select_playbooks(Situation(**BELITTLER, walk_away="prepare_exit"))
    assert ids(chosen)[:2] == ["prepare_exit", "contempt"]
    assert "team_strain" in ids(chosen)[:4]
    assert {
        "contempt.talk_behaviour",
        "contempt.tell_director",
        "team_strain.escalate_director",
        "prepare_exit.send_notice",
        "prepare_exit.retrospective",
        "blame_shifting.build_timeline",
    } <= actions(chosen)
    assert {"behaviour_conversation", "termination_letter"} <= templates(chosen)
    assert chosen[0].reason_in("fr") == (
        "Bilan de séparation : préparer la sortie, statut critique, respect et ton : 12/100, "
        "équipe : 18/100, préavis de 60 jours au contrat."
    )
    # Without a walk-away assessment yet, collapsed respect and team still point to the exit.
    unassessed = select_playbooks(Situation(**BELITTLER))
    assert ids(unassessed)[0] == "prepare_exit"
    assert unassessed[0].reason_in("en") == (
        "Status critical, respect and tone: 12/100, team: 18/100, 60 days' notice in the contract."
    )


def test_good_client_gets_no_playbook():
    situation = Situation(
        hits={"appreciation": 6, "collaboration": 4, "knowledge_sharing": 5, "timely_feedback": 5},
        status="healthy",
        scores={
            "respect": 96,
            "scope": 90,
            "communication": 92,
            "finance": 100,
            "team": 94,
            "partnership": 98,
        },
        contract=ContractFacts(2, 2, True, 45, True, 30),
    )
    assert select_playbooks(situation) == []
    # a "continue" assessment gives its light playbook, last
    chosen = select_playbooks(Situation(hits={"scope_creep": 2}, walk_away="continue"))
    assert ids(chosen) == ["scope_creep", "continue"]


def test_one_bypass_is_enough_without_a_single_point_of_contact():
    with_contact = Situation(
        hits={"channel_bypass": 1}, contract=ContractFacts(2, 0, True, 30, True)
    )
    assert select_playbooks(with_contact) == []
    without = Situation(hits={"channel_bypass": 1}, contract=ContractFacts(2, 0, True, 30, False))
    chosen = select_playbooks(without)
    assert ids(chosen) == ["channel_bypass"]
    assert chosen[0].reason_in("en") == (
        "1 message sent around the agreed contact in 30 days, no agreed single point of contact."
    )


def test_limit_and_situation_checks():
    situation = Situation(**BELITTLER, walk_away="prepare_exit")
    assert len(select_playbooks(situation, limit=2)) == 2
    with pytest.raises(ValueError, match="status"):
        Situation(status="fine")
    with pytest.raises(ValueError, match="walk_away"):
        Situation(walk_away="leave")


def test_rule_conditions_are_checked():
    assert parse_condition("hits:scope_creep >= 2").value == 2
    assert parse_condition("status >= at_risk").value == "at_risk"
    for bad in (
        "hits >= 2",
        "score:mood <= 40",
        "status >= awful",
        "walk_away >= continue",
        "revision_rounds_over >= many",
        "hits:scope_creep => 2",
    ):
        with pytest.raises(PlaybookError):
            parse_condition(bad)


def test_docs_list_every_playbook_and_template():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "playbooks.md").read_text("utf-8")
    for name in [*load_playbooks(), *load_templates(), *PLACEHOLDERS]:
        assert f"`{name}`" in docs, name
