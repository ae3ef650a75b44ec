"""Playbooks and reply drafts: what to do about a client's situation, and the words to say it.

A plain package (no Django import): the playbooks, the rules that choose them and the reply
templates are data files under `data/`; the web app and the CLI fill `Situation` and
`DraftContext` from the database. See docs/playbooks.md.
"""

from accalmie.playbooks.catalog import Action, Playbook, PlaybookError, get_playbook, load_playbooks
from accalmie.playbooks.drafts import (
    Draft,
    DraftContext,
    InvoiceLine,
    MilestoneLine,
    MissingPlaceholders,
    draft_to_eml,
    load_templates,
    render_draft,
)
from accalmie.playbooks.rules import ContractFacts, Recommendation, Situation, select_playbooks

__all__ = [
    "Action",
    "ContractFacts",
    "Draft",
    "DraftContext",
    "InvoiceLine",
    "MilestoneLine",
    "MissingPlaceholders",
    "Playbook",
    "PlaybookError",
    "Recommendation",
    "Situation",
    "draft_to_eml",
    "get_playbook",
    "load_playbooks",
    "load_templates",
    "render_draft",
    "select_playbooks",
]
