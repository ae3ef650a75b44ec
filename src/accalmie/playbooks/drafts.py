"""Reply drafts: fill a template (data/templates/<id>.toml) in the client's language.

Templates use a tiny placeholder syntax: `{name}`, where `name` is one of PLACEHOLDERS. A
text placeholder may sit anywhere; a list placeholder stands alone on its line and becomes
one `- item` line per item. There is no expression, attribute or format spec, and a value is
inserted as it is, never read again as a template. A value that is missing (and that the
template gives no default for) raises MissingPlaceholders, naming every one; `fill_missing`
writes a visible "[to fill in: …]" instead, for an editor. See docs/playbooks.md.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import cache
from importlib import resources
from typing import Any

from accalmie.playbooks.formatting import (
    WEEKDAYS,
    format_date,
    format_hour,
    format_money,
    language,
    plural,
)

LANGS = ("fr", "en")
MILESTONES_SHOWN = 3  # done and next milestones listed in a draft
PAUSE_NOTICE_DAYS = 10  # default delay between a pause notice and the pause
TEXT, LIST = "text", "list"

# Every placeholder a template may use: its kind and what it is, in both languages (the label
# is what `fill_missing` shows).
PLACEHOLDERS: dict[str, tuple[str, str, str]] = {
    "today": (TEXT, "date du jour", "today's date"),
    "client_name": (TEXT, "nom du client", "client name"),
    "contact_name": (TEXT, "nom du contact", "contact's name"),
    "contact_first_name": (TEXT, "prénom du contact", "contact's first name"),
    "client_contact_name": (TEXT, "interlocuteur côté client", "client's point of contact"),
    "agency_name": (TEXT, "nom de l'agence", "agency name"),
    "agency_contact_name": (TEXT, "interlocuteur côté agence", "agency's point of contact"),
    "sender_name": (TEXT, "votre nom", "your name"),
    "director_name": (TEXT, "nom de la direction", "director's name"),
    "stakeholders": (LIST, "parties prenantes", "stakeholders"),
    "project_name": (TEXT, "nom du projet", "project name"),
    "milestones_done": (LIST, "étapes franchies", "milestones done"),
    "milestones_next": (LIST, "prochaines étapes", "next milestones"),
    "contract_reference": (TEXT, "référence du contrat", "contract reference"),
    "scope_items": (LIST, "périmètre du contrat", "contract scope"),
    "scope_exclusions": (LIST, "exclusions du contrat", "contract exclusions"),
    "revision_rounds_allowed": (TEXT, "tours de révision prévus", "revision rounds agreed"),
    "revision_rounds_used": (TEXT, "tours de révision réalisés", "revision rounds used"),
    "payment_terms_days": (TEXT, "délai de paiement", "payment terms in days"),
    "payment_terms": (TEXT, "conditions de paiement", "payment terms"),
    "termination_clause": (TEXT, "clause de résiliation", "termination clause"),
    "notice_days": (TEXT, "préavis en jours", "notice in days"),
    "termination_date": (TEXT, "date d'effet de la résiliation", "termination date"),
    "confidentiality": (TEXT, "clause de confidentialité", "confidentiality clause"),
    "handover_steps": (LIST, "étapes de passation", "hand-over steps"),
    "overdue_invoices": (LIST, "factures impayées", "unpaid invoices"),
    "overdue_total": (TEXT, "montant total dû", "total due"),
    "pause_date": (TEXT, "date de suspension", "pause date"),
    "topic": (TEXT, "sujet", "topic"),
    "concern": (TEXT, "ce qui compte pour le client", "what matters to the client"),
    "request": (TEXT, "la demande", "the request"),
    "behaviour": (TEXT, "le comportement, décrit factuellement", "the behaviour, stated as facts"),
    "alternatives": (LIST, "alternatives proposées", "alternatives offered"),
    "next_steps": (LIST, "prochaines actions", "next actions"),
    "open_questions": (LIST, "questions en attente", "open questions"),
    "call_date": (TEXT, "date de l'appel", "call date"),
    "office_hours": (TEXT, "horaires", "office hours"),
    "response_time": (TEXT, "délai de réponse", "response time"),
    "quote_delay": (TEXT, "délai de chiffrage", "time to quote"),
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")
_MISSING = {"fr": "[à compléter : {label}]", "en": "[to fill in: {label}]"}


class TemplateError(ValueError):
    """A template file does not follow docs/playbooks.md."""


class MissingPlaceholders(ValueError):
    """A draft cannot be written: some of its placeholders have no value."""

    def __init__(self, template_id: str, lang: str, names: list[str]) -> None:
        self.template_id, self.lang, self.names = template_id, lang, names
        super().__init__(f"template {template_id!r} ({lang}) needs a value for: {', '.join(names)}")


# -- the values ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneLine:
    """A project milestone (projects.Milestone)."""

    title: str
    due_on: date
    done_on: date | None = None


@dataclass(frozen=True)
class InvoiceLine:
    """An unpaid invoice past its due date (finance.Invoice)."""

    number: str
    amount: Decimal | int | float
    issued_on: date
    due_on: date
    currency: str = "EUR"


@dataclass
class DraftContext:
    """Plain values a draft is filled from; every field is optional except `today`.

    The first groups come from the records (client, contact, workspace, project, contract,
    invoices); the "about this reply" group is what the person writing says the reply is about.
    """

    today: date
    # who
    client_name: str = ""
    contact_name: str = ""  # the recipient
    contact_first_name: str = ""  # default: first word of contact_name
    client_contact_name: str = ""  # the client's agreed point of contact; default: contact_name
    agency_name: str = ""
    agency_contact_name: str = ""  # the agency's agreed point of contact; default: sender_name
    sender_name: str = ""
    director_name: str = ""
    stakeholders: list[str] = field(default_factory=list)  # e.g. "Léa Fontaine (Cheffe de produit)"
    # project and contract
    project_name: str = ""
    milestones: list[MilestoneLine] = field(default_factory=list)
    contract_reference: str = ""
    scope_items: list[str] = field(default_factory=list)
    scope_exclusions: list[str] = field(default_factory=list)
    revision_rounds_allowed: int | None = None
    revision_rounds_used: int | None = None
    payment_terms_days: int | None = None
    payment_terms: str = ""
    termination_clause: str = ""
    notice_days: int | None = None
    confidentiality: str = ""
    overdue_invoices: list[InvoiceLine] = field(default_factory=list)
    # about this reply
    topic: str = ""
    concern: str = ""
    request: str = ""
    behaviour: str = ""
    alternatives: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    open_questions: list[str] = field(default_factory=list)
    handover_steps: list[str] = field(default_factory=list)
    # dates and habits
    call_date: date | None = None  # default: the next working day
    termination_date: date | None = None  # default: today + notice_days
    pause_date: date | None = None  # default: today + PAUSE_NOTICE_DAYS
    office_hours: tuple[int, int] = (9, 18)
    response_days: int = 1  # working days
    quote_days: int = 3  # working days to send a change order's estimate


@dataclass(frozen=True)
class Draft:
    """A filled reply, ready to edit, copy or export."""

    subject: str
    body: str
    lang: str
    template_id: str = ""


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _working_days(count: int, lang: str) -> str:
    if lang == "fr":
        unit = plural(count, "jour ouvré", "jours ouvrés", lang)
        return f"{'un' if count == 1 else count} {unit}"
    unit = plural(count, "working day", "working days", lang)
    return f"{'one' if count == 1 else count} {unit}"


def _office_hours(hours: tuple[int, int], lang: str) -> str:
    start, end = (format_hour(h, lang) for h in hours)
    if lang == "fr":
        return f"du {WEEKDAYS['fr'][0]} au {WEEKDAYS['fr'][4]}, de {start} à {end}"
    return f"{WEEKDAYS['en'][0]} to {WEEKDAYS['en'][4]}, {start} to {end}"


def _milestone_lines(ctx: DraftContext, lang: str) -> tuple[list[str], list[str]]:
    done = sorted(
        (m for m in ctx.milestones if m.done_on and m.done_on <= ctx.today),
        key=lambda m: m.done_on or m.due_on,
    )[-MILESTONES_SHOWN:]
    upcoming = sorted((m for m in ctx.milestones if not m.done_on), key=lambda m: m.due_on)
    sep = " : " if lang == "fr" else ": "
    return (
        [f"{format_date(m.done_on or m.due_on, lang)}{sep}{m.title}" for m in done],
        [f"{format_date(m.due_on, lang)}{sep}{m.title}" for m in upcoming[:MILESTONES_SHOWN]],
    )


def _invoice_line(invoice: InvoiceLine, lang: str) -> str:
    amount = format_money(invoice.amount, invoice.currency, lang)
    issued, due = format_date(invoice.issued_on, lang), format_date(invoice.due_on, lang)
    if lang == "fr":
        return f"Facture {invoice.number} du {issued} : {amount}, échue le {due}"
    return f"Invoice {invoice.number} of {issued}: {amount}, due on {due}"


def _overdue_total(invoices: list[InvoiceLine], lang: str) -> str:
    currencies = {i.currency for i in invoices}
    if not invoices or len(currencies) != 1:
        return ""  # no total across currencies
    total = sum((Decimal(str(i.amount)) for i in invoices), Decimal(0))
    return format_money(total, currencies.pop(), lang)


def context_values(ctx: DraftContext, lang: str) -> dict[str, str | list[str]]:
    """Every placeholder's value, formatted for `lang`; empty values are left out."""
    lang = language(lang)
    done, upcoming = _milestone_lines(ctx, lang)
    termination = ctx.termination_date
    if termination is None and ctx.notice_days is not None:
        termination = ctx.today + timedelta(days=ctx.notice_days)
    numbers = {
        "revision_rounds_allowed": ctx.revision_rounds_allowed,
        "revision_rounds_used": ctx.revision_rounds_used,
        "payment_terms_days": ctx.payment_terms_days,
        "notice_days": ctx.notice_days,
    }
    values: dict[str, str | list[str] | None] = {
        "today": format_date(ctx.today, lang),
        "client_name": ctx.client_name,
        "contact_name": ctx.contact_name,
        "contact_first_name": ctx.contact_first_name or (ctx.contact_name.split() or [""])[0],
        "client_contact_name": ctx.client_contact_name or ctx.contact_name,
        "agency_name": ctx.agency_name,
        "agency_contact_name": ctx.agency_contact_name or ctx.sender_name,
        "sender_name": ctx.sender_name,
        "director_name": ctx.director_name,
        "stakeholders": ctx.stakeholders,
        "project_name": ctx.project_name,
        "milestones_done": done,
        "milestones_next": upcoming,
        "contract_reference": ctx.contract_reference,
        "scope_items": ctx.scope_items,
        "scope_exclusions": ctx.scope_exclusions,
        **{name: None if n is None else str(n) for name, n in numbers.items()},
        "payment_terms": ctx.payment_terms,
        "termination_clause": ctx.termination_clause,
        "termination_date": format_date(termination, lang) if termination else None,
        "confidentiality": ctx.confidentiality,
        "handover_steps": ctx.handover_steps,
        "overdue_invoices": [_invoice_line(i, lang) for i in ctx.overdue_invoices],
        "overdue_total": _overdue_total(ctx.overdue_invoices, lang),
        "pause_date": format_date(
            ctx.pause_date or ctx.today + timedelta(days=PAUSE_NOTICE_DAYS), lang
        ),
        "topic": ctx.topic,
        "concern": ctx.concern,
        "request": ctx.request,
        "behaviour": ctx.behaviour,
        "alternatives": ctx.alternatives,
        "next_steps": ctx.next_steps,
        "open_questions": ctx.open_questions,
        "call_date": format_date(ctx.call_date or next_working_day(ctx.today), lang, weekday=True),
        "office_hours": _office_hours(ctx.office_hours, lang),
        "response_time": _working_days(ctx.response_days, lang),
        "quote_delay": _working_days(ctx.quote_days, lang),
    }
    return {name: _clean(value) for name, value in values.items() if _present(value)}


def _present(value: str | list[str] | None) -> bool:
    if isinstance(value, list):
        return any(item.strip() for item in value)
    return bool(value and value.strip())


def _clean(value: str | list[str] | None) -> str | list[str]:
    if isinstance(value, list):
        # one line per item; no-break spaces (amounts, dates) are kept
        return [_LINE_BREAKS.sub(" ", item.strip()) for item in value if item.strip()]
    return (value or "").strip()


# -- the templates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """A template in one language."""

    subject: str
    body: str
    defaults: dict[str, str | list[str]]

    @property
    def placeholders(self) -> list[str]:
        seen = _PLACEHOLDER.findall(self.subject) + _PLACEHOLDER.findall(self.body)
        return list(dict.fromkeys(seen))


@dataclass(frozen=True)
class Template:
    id: str
    title: dict[str, str]
    versions: dict[str, Version]

    def title_in(self, lang: str) -> str:
        return self.title[language(lang)]


def _check_text(text: str, where: str, *, subject: bool) -> None:
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            raise TemplateError(f"{where}: unknown placeholder {{{name}}}")
    leftover = _PLACEHOLDER.sub("", text)
    if "{" in leftover or "}" in leftover:
        raise TemplateError(f"{where}: a brace that is not a placeholder")
    for line in text.splitlines():
        lists = [n for n in _PLACEHOLDER.findall(line) if PLACEHOLDERS[n][0] == LIST]
        if lists and (subject or line.strip() != f"{{{lists[0]}}}"):
            raise TemplateError(f"{where}: {{{lists[0]}}} is a list: alone on its own line")


def parse_template(data: dict[str, Any], name: str) -> Template:
    """Build a Template from one file's TOML table; `name` is the file's id."""
    where = f"templates/{name}.toml"
    if data.get("id") != name:
        raise TemplateError(f"{where}: id must be {name!r}")
    versions = {}
    for lang in LANGS:
        raw = data.get(lang)
        if not isinstance(raw, dict) or not raw.get("subject") or not raw.get("body"):
            raise TemplateError(f"{where}: [{lang}] needs a subject and a body")
        subject, body = str(raw["subject"]).strip(), str(raw["body"]).strip("\n")
        _check_text(subject, f"{where} [{lang}] subject", subject=True)
        _check_text(body, f"{where} [{lang}] body", subject=False)
        defaults = raw.get("defaults", {})
        for key in defaults:
            if key not in PLACEHOLDERS:
                raise TemplateError(f"{where}: default for unknown placeholder {key!r}")
        versions[lang] = Version(subject, body + "\n", dict(defaults))
    title = {lang: str(data.get(f"title_{lang}", "")).strip() for lang in LANGS}
    if not all(title.values()):
        raise TemplateError(f"{where}: title_fr and title_en are required")
    return Template(name, title, versions)


@cache
def load_templates() -> dict[str, Template]:
    """Every reply template, by id."""
    folder = resources.files("accalmie.playbooks") / "data" / "templates"
    found = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            name = entry.name.removesuffix(".toml")
            found[name] = parse_template(tomllib.loads(entry.read_text("utf-8")), name)
    return dict(sorted(found.items()))


def get_template(template_id: str) -> Template:
    try:
        return load_templates()[template_id]
    except KeyError:
        raise KeyError(f"no reply template {template_id!r}") from None


# -- rendering -----------------------------------------------------------------------------


def _fill(text: str, values: dict[str, str | list[str]]) -> str:
    def one(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        if isinstance(value, list):
            return "\n".join(f"- {item}" for item in value)
        return value

    return _PLACEHOLDER.sub(one, text)


def render_draft(
    template_id: str, lang: str, context: DraftContext, *, fill_missing: bool = False
) -> Draft:
    """Fill template `template_id` in `lang` ("fr" or "en") from `context`.

    Raises MissingPlaceholders listing every placeholder with no value, unless `fill_missing`,
    which writes a visible "[à compléter : …]" / "[to fill in: …]" in their place.
    """
    lang = language(lang)
    version = get_template(template_id).versions[lang]
    values = {**version.defaults, **context_values(context, lang)}
    missing = [name for name in version.placeholders if name not in values]
    if missing and not fill_missing:
        raise MissingPlaceholders(template_id, lang, missing)
    for name in missing:
        kind, label_fr, label_en = PLACEHOLDERS[name]
        text = _MISSING[lang].format(label=label_fr if lang == "fr" else label_en)
        values[name] = [text] if kind == LIST else text
    return Draft(
        subject=_fill(version.subject, values),
        body=_fill(version.body, values),
        lang=lang,
        template_id=template_id,
    )


def draft_to_eml(
    draft: Draft, from_addr: str, to_addr: str, *, when: datetime | None = None
) -> bytes:
    """The draft as an .eml file: UTF-8 plain text, encoded headers, Date and Message-ID.

    It carries `X-Unsent: 1`, so mail programs that know it open it as a draft to send.
    """
    message = EmailMessage()
    message["From"] = from_addr
    message["To"] = to_addr
    message["Subject"] = draft.subject
    message["Date"] = format_datetime(when or datetime.now().astimezone())
    domain = parseaddr(from_addr)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["X-Unsent"] = "1"
    message.set_content(draft.body, subtype="plain", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = draft.lang  # after set_content, which drops Content-* headers
    # Headers are written unfolded (up to RFC 5322's 998): when the standard library folds a
    # subject between two encoded words, the space between them is lost on reading
    # ("“Hand-over package”" comes back as "“Hand-overpackage”").
    return message.as_bytes(policy=message.policy.clone(max_line_length=998))
