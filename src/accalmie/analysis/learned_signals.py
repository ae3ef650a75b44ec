"""The per-signal learned models (signal_<signal>_<lang>.json) and what their hits say."""

from __future__ import annotations

import hashlib
from functools import cache

from accalmie.analysis.learned import LinearTextModel, available_models
from accalmie.analysis.signals import TEXT_SIGNALS

# One sentence per signal, for a hit that the learned model found on its own.
_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "contempt": ("La formulation rabaisse l'équipe ou son travail.",
                 "The wording belittles the team or its work."),
    "intimidation": ("Le message ressemble à une menace ou à un ultimatum.",
                     "The message reads like a threat or an ultimatum."),
    "passive_aggression": ("Un reproche perce sous la politesse.",
                           "A reproach shows through the politeness."),
    "impoliteness": ("Le ton est sec et sans formule de politesse.",
                     "The tone is curt, with no courtesy at all."),
    "blame_shifting": ("Le client rejette toute la responsabilité sur vous.",
                       "The client puts all the responsibility on you."),
    "supplier_framing": ("Vous êtes traité comme un fournisseur interchangeable.",
                         "You are treated as a replaceable supplier."),
    "manipulation": ("Culpabilisation, promesse inventée ou fausse urgence.",
                     "Guilt-tripping, an invented promise or false urgency."),
    "negativity": ("Le ton est négatif et plaintif.",
                   "The tone is negative and full of complaints."),
    "resistance_to_feedback": ("Le client écarte vos conseils sans les discuter.",
                               "The client dismisses your advice without discussing it."),
    "unrealistic_expectations": ("Le délai ou le résultat demandé paraît hors de portée.",
                                 "The deadline or result asked for looks out of reach."),
    "scope_creep": ("Une demande semble sortir du périmètre convenu.",
                    "A request seems to go beyond the agreed scope."),
    "direction_change": ("Le client change de cap par rapport à ce qui était décidé.",
                         "The client changes course from what was decided."),
    "micromanagement": ("Le client veut suivre ou valider chaque étape.",
                        "The client wants to follow or approve every step."),
    "urgency_pressure": ("Le message met la pression de l'urgence.",
                         "The message piles on urgency."),
    "appreciation": ("Le client remercie ou reconnaît le travail.",
                     "The client thanks you or recognises the work."),
    "collaboration": ("Le client propose de construire ensemble ou vous consulte.",
                      "The client proposes to work together or asks your view."),
    "knowledge_sharing": ("Le client partage du contexte utile au projet.",
                          "The client shares context useful to the project."),
}  # fmt: skip


def learned_explanation(signal: str) -> dict[str, str]:
    """Return the explanation of a hit found by a learned model, in French and English."""
    fr, en = _EXPLANATIONS.get(
        signal, ("Signal relevé par le modèle appris.", "Signal found by the learned model.")
    )
    return {"fr": f"{fr} (modèle appris)", "en": f"{en} (learned model)"}


@cache
def signal_models(lang: str) -> dict[str, LinearTextModel]:
    """Return the learned model of each text signal for a language (those that ship)."""
    names = set(available_models())
    return {
        signal: LinearTextModel.load(f"signal_{signal}_{lang}")
        for signal in TEXT_SIGNALS
        if f"signal_{signal}_{lang}" in names
    }


@cache
def models_fingerprint() -> str:
    """Return a hash of the shipped signal models' versions: part of the detector version."""
    digest = hashlib.sha256()
    for lang in ("fr", "en"):
        for signal, model in sorted(signal_models(lang).items()):
            digest.update(f"{signal}:{lang}:{model.version}:{model.intercept}".encode())
    return digest.hexdigest()
