"""The walk-away assessment of one client: the five indicators, the flag, the contract checklist."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accalmie.analysis.walkaway import LABELS, assess_walkaway
from accalmie.clients.models import Client
from accalmie.health.models import WalkAwayDecision, WalkAwayFlag
from accalmie.health.records import load_records
from accalmie.health.services import config_for, score_records
from accalmie.health.views_support import resolve_reasons
from accalmie.projects.models import Contract


def outcome_label(outcome: str) -> str:
    """Return the words for an outcome key (continue, repair_plan, prepare_exit)."""
    return str(WalkAwayDecision.Outcome(outcome).label)


def _state_labels() -> dict[str, str]:
    return {"ok": _("prévu"), "missing": _("absent"), "check": _("à vérifier")}


def contract_checklist(client: Client) -> list[dict[str, str]]:
    """Return what to check in the client's contracts before ending the relationship."""
    items: list[dict[str, str]] = []
    contracts = list(Contract.objects.filter(project__client=client).select_related("project"))
    if not contracts:
        return [
            {
                "item": _("Contrat"),
                "state": "missing",
                "state_label": _state_labels()["missing"],
                "detail": _("Aucun contrat enregistré."),
            }
        ]
    today = timezone.localdate()
    for c in contracts:
        name = c.reference or c.project.name
        items.append(
            {
                "item": _("Résiliation et préavis (%(c)s)") % {"c": name},
                "state": "ok" if c.termination_clause else "missing",
                "detail": (c.termination_clause or _("Aucune clause de résiliation."))
                + " "
                + _("Préavis : %(d)s jours.") % {"d": c.notice_period_days},
            }
        )
        items.append(
            {
                "item": _("Confidentialité (%(c)s)") % {"c": name},
                "state": "ok" if c.confidentiality else "missing",
                "detail": c.confidentiality or _("Aucune clause de confidentialité."),
            }
        )
        open_milestones = c.project.milestones.filter(done_on__isnull=True)
        unpaid = client.invoices.filter(project=c.project, paid_on__isnull=True).count()
        items.append(
            {
                "item": _("Livrables en cours et passation (%(c)s)") % {"c": name},
                "state": "check" if open_milestones.exists() or unpaid else "ok",
                "detail": _("%(m)s jalon(s) non atteint(s), %(i)s facture(s) impayée(s).")
                % {"m": open_milestones.count(), "i": unpaid},
            }
        )
    items.append(
        {
            "item": _("Déontologie"),
            "state": "check",
            "detail": _(
                "Rendre les accès, les fichiers sources et la documentation ; "
                "ne pas laisser un travail à moitié fait sans plan de reprise."
            ),
        }
    )
    items.append(
        {
            "item": _("Réputation"),
            "state": "check",
            "detail": _(
                "Prévoir ce qui sera dit à l'équipe, au client et à l'extérieur ; "
                "garder un ton respectueux par écrit. Aujourd'hui : %(d)s."
            )
            % {"d": today.isoformat()},
        }
    )
    labels = _state_labels()
    for item in items:
        item["state_label"] = labels[item["state"]]
    return items


def assessment_for(client: Client, lang: str = "fr") -> dict[str, Any]:
    """Return the walk-away assessment of a client as of now, ready to show or store."""
    config = config_for(client.workspace_id)
    records = load_records([client.pk])[client.pk]
    health, hits = score_records(records, timezone.now(), config)
    flag = WalkAwayFlag.objects.filter(client=client).first()
    result = assess_walkaway(health, hits, bool(flag and flag.illegal_or_unethical), config)
    indicators = []
    for ind in result.indicators:
        reasons = [
            {
                "dimension": "",
                "signal": h.signal,
                "points": 0,
                "refs": [list(r) for r in h.refs[:2]],
                "explanation": h.explanation,
            }
            for h in ind.hits[:5]
        ]
        indicators.append(
            {
                "key": ind.key,
                "label": LABELS[ind.key].get(lang[:2], LABELS[ind.key]["fr"]),
                "met": ind.met,
                "dimension_score": round(ind.dimension_score),
                "weeks": ind.weeks_with_evidence,
                "evidence": resolve_reasons(client, reasons, lang[:2]),
            }
        )
    return {
        "score": round(health.score),
        "status": health.status,
        "indicators": indicators,
        "illegal_or_unethical": result.illegal_or_unethical,
        "proposed": result.proposed,
        "proposed_label": outcome_label(result.proposed),
        "checklist": contract_checklist(client),
        "snapshot": {
            "score": round(health.score, 1),
            "status": health.status,
            "met": [i.key for i in result.met],
            "illegal_or_unethical": result.illegal_or_unethical,
            "proposed": result.proposed,
        },
    }
