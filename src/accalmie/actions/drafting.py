"""Fill a reply template from the records: client, contact, contract, project, invoices.

`draft_context_for` builds the `DraftContext` of `accalmie.playbooks` from the database, and
`about_defaults` proposes, in the client's language, what the reply is about (topic, request,
next steps…) from the latest exchanges, so that every template renders with no gap. The person
writing can change each of these values on the draft page before the text is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth.models import User

from accalmie.accounts.models import Membership, Role, WorkspaceDomain
from accalmie.actions.situation import (
    as_of_for,
    contract_of,
    current_project,
    overdue_invoices,
)
from accalmie.clients.models import Client, Contact
from accalmie.comms.models import Channel, Direction, Interaction
from accalmie.detect.feedback import counted_hits
from accalmie.detect.models import SignalHit
from accalmie.playbooks import DraftContext, InvoiceLine, MilestoneLine
from accalmie.playbooks.drafts import LIST, PLACEHOLDERS, load_templates
from accalmie.playbooks.formatting import language
from accalmie.projects.models import Contract

# What the reply is about: the person can change each on the draft page.
ABOUT_FIELDS = ("topic", "concern", "request", "behaviour", "alternatives", "next_steps",
                "open_questions")  # fmt: skip
# The signals whose message is "the request" a scope or no-with-alternatives reply answers.
REQUEST_SIGNALS = ("scope_creep", "unrealistic_expectations", "urgency_pressure",
                   "direction_change", "manipulation", "supplier_framing")  # fmt: skip
_PREFIX = re.compile(r"^\s*((re|tr|fwd?|aw|wg)\s*:\s*)+", re.IGNORECASE)

# Neutral wordings, in the client's language, used when the records say nothing more precise.
GENERIC: dict[str, dict[str, str | list[str]]] = {
    "fr": {
        "topic": "l'avancement du projet",
        "concern": "d'avoir une vision claire de l'avancement et des délais",
        "request": "les ajouts évoqués récemment",
        "behaviour": "plusieurs messages adressés à l'équipe ont pris un ton blessant",
        "alternatives": [
            "Une version plus simple, dans le budget et le calendrier actuels.",
            "Un chiffrage séparé, pour une seconde phase après la mise en ligne.",
        ],
        "next_steps": [
            "Un point d'avancement écrit chaque vendredi.",
            "Une réponse à chacune de vos questions sous un jour ouvré.",
        ],
        "open_questions": ["Votre validation des derniers éléments que nous vous avons envoyés."],
    },
    "en": {
        "topic": "the progress of the project",
        "concern": "having a clear view of progress and deadlines",
        "request": "the additions discussed recently",
        "behaviour": "several messages to the team have taken a hurtful tone",
        "alternatives": [
            "A simpler version, within the current budget and timeline.",
            "A separate estimate, for a second phase after launch.",
        ],
        "next_steps": [
            "A written progress update every Friday.",
            "An answer to each of your questions within one working day.",
        ],
        "open_questions": ["Your approval of the latest items we sent you."],
    },
}


def _clean_subject(subject: str) -> str:
    return _PREFIX.sub("", subject or "").strip()


def _quoted(text: str, lang: str) -> str:
    return f"« {text} »" if lang == "fr" else f"“{text}”"


def latest_client_subject(client: Client, signals: tuple[str, ...] = ()) -> str:
    """The subject of the latest message from the client (with one of `signals`, if given)."""
    as_of = as_of_for(client)
    messages = Interaction.objects.filter(
        client=client,
        direction=Direction.FROM_CLIENT,
        channel=Channel.EMAIL,  # a call's subject is "Appel — …", not what it was about
        occurred_at__lte=as_of,
    ).exclude(subject="")
    if signals:
        hits = counted_hits(SignalHit.objects.filter(client=client, signal__in=signals))
        messages = messages.filter(pk__in=hits.values("interaction_id"))
    for subject in messages.order_by("-occurred_at").values_list("subject", flat=True)[:5]:
        cleaned = _clean_subject(subject)
        if cleaned:
            return cleaned
    return ""


def about_defaults(client: Client, lang: str | None = None) -> dict[str, str | list[str]]:
    """What the reply is about, proposed from the latest exchanges, in the client's language."""
    lang = language(lang or client.language)
    values = dict(GENERIC[lang])
    topic = latest_client_subject(client)
    if topic:
        values["topic"] = _quoted(topic, lang)
    request = latest_client_subject(client, REQUEST_SIGNALS)
    if request:
        values["request"] = _quoted(request, lang)
    return values


def recipient_for(
    client: Client, contact_id: int | None = None, *, contract: Contract | None = None
) -> Contact | None:
    """The contact the reply goes to: the one asked for, or the contract's point of contact."""
    contacts = client.contacts.all()
    if contact_id:
        chosen = contacts.filter(pk=contact_id).first()
        if chosen is not None:
            return chosen
    if contract is None:
        contract = contract_of(current_project(client))
    if contract is not None and contract.client_contact_id:
        return contract.client_contact
    return contacts.first()


def director_of(client: Client) -> User | None:
    membership = (
        Membership.objects.filter(workspace_id=client.workspace_id, role=Role.DIRECTOR)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def sender_address(user: User, client: Client) -> str:
    """`Name <address>` of the person writing: their e-mail, or a name on the agency's domain."""
    address = user.email
    if not address:
        domain = WorkspaceDomain.objects.filter(workspace_id=client.workspace_id).first()
        address = f"{user.get_username()}@{domain.domain if domain else 'localhost'}"
    return _address(_name(user), address)


def _address(name: str, address: str) -> str:
    from email.headerregistry import Address

    try:
        return str(Address(display_name=name, addr_spec=address))
    except (ValueError, IndexError):
        return address


def recipient_address(contact: Contact | None) -> str:
    if contact is None or not contact.primary_email:
        return ""
    return _address(contact.name, contact.primary_email)


@dataclass(frozen=True)
class DraftRecords:
    context: DraftContext
    contact: Contact | None
    about: dict[str, str | list[str]]  # the proposed values, with the person's over them


def draft_context_for(
    client: Client,
    user: User,
    *,
    contact_id: int | None = None,
    about: dict[str, str | list[str]] | None = None,
    today: dt.date | None = None,
    lang: str | None = None,
) -> DraftRecords:
    """Every value a reply template may need, from the records and `about` (see ABOUT_FIELDS)."""
    today = today or dt.date.today()  # noqa: DTZ011 - a letter's calendar day
    project = current_project(client)
    contract = contract_of(project)
    contact = recipient_for(client, contact_id, contract=contract)
    values = {**about_defaults(client, lang), **{k: v for k, v in (about or {}).items() if v}}
    others = [
        f"{c.name} ({c.role})" if c.role else c.name
        for c in client.contacts.all()
        if contact is None or c.pk != contact.pk
    ]
    ctx = DraftContext(
        today=today,
        client_name=client.name,
        contact_name=contact.name if contact else "",
        agency_name=client.workspace.name,
        sender_name=_name(user),
        director_name=_name(director_of(client)),
        stakeholders=others,
        project_name=project.name if project else client.name,
    )
    if contract is not None:
        ctx.contract_reference = contract.reference
        scope = list(contract.scope_items.all())
        ctx.scope_items = [i.title for i in scope if i.included]
        ctx.scope_exclusions = [i.title for i in scope if not i.included]
        ctx.revision_rounds_allowed = contract.revision_rounds_allowed
        ctx.revision_rounds_used = contract.revision_rounds_used
        ctx.payment_terms_days = contract.payment_terms_days
        ctx.payment_terms = contract.payment_terms
        ctx.termination_clause = contract.termination_clause
        ctx.notice_days = contract.notice_period_days
        ctx.confidentiality = contract.confidentiality
        if contract.client_contact is not None:
            ctx.client_contact_name = contract.client_contact.name
        if contract.agency_contact_id:
            ctx.agency_contact_name = _name(contract.agency_contact)
    if project is not None:
        ctx.milestones = [
            MilestoneLine(m.title, m.due_on, m.done_on) for m in project.milestones.all()
        ]
    ctx.overdue_invoices = [
        InvoiceLine(i.number, i.amount, i.issued_on, i.due_on, i.currency)
        for i in overdue_invoices(client, today)
    ]
    for name in ABOUT_FIELDS:
        value = values.get(name)
        if PLACEHOLDERS[name][0] == LIST:
            lines = value if isinstance(value, list) else str(value or "").splitlines()
            setattr(ctx, name, [line.strip() for line in lines if line.strip()])
        else:
            setattr(ctx, name, str(value or "").strip())
    return DraftRecords(ctx, contact, values)


def about_fields_of(template_id: str, lang: str) -> list[str]:
    """The "about this reply" values the template uses, in the order of ABOUT_FIELDS."""
    version = load_templates()[template_id].versions[language(lang)]
    used = set(version.placeholders)
    return [name for name in ABOUT_FIELDS if name in used]
