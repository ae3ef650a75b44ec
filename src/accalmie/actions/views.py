"""Pages of the acting side: tasks, accepting an action, reply drafts, the live tone check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accalmie.accounts.access import client_for, membership_for, task_for, visible_tasks
from accalmie.accounts.models import Membership
from accalmie.actions.drafting import (
    ABOUT_FIELDS,
    about_fields_of,
    draft_context_for,
    recipient_address,
    sender_address,
)
from accalmie.actions.models import Task
from accalmie.actions.playbook_cards import playbooks_context, task_row
from accalmie.actions.services import accept_action, complete_task
from accalmie.actions.tone import tone_view
from accalmie.clients.models import Client
from accalmie.core.audit import record_event
from accalmie.playbooks import MissingPlaceholders, draft_to_eml, load_templates, render_draft
from accalmie.playbooks.drafts import LIST, PLACEHOLDERS
from accalmie.playbooks.formatting import language


def _lang() -> str:
    return (get_language() or "fr")[:2]


def _writer(membership: Membership) -> None:
    if not membership.can_write:
        raise PermissionDenied


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def task_list(request: HttpRequest, workspace: str) -> HttpResponse:
    """The member's tasks (`?all=1`: every task of the clients they may see), overdue first."""
    membership = membership_for(request.user, workspace)
    show_all = request.GET.get("all") == "1"
    tasks = visible_tasks(membership).select_related("client", "owner", "completed_by")
    if not show_all:
        tasks = tasks.filter(owner=request.user)
    today = timezone.localdate()
    open_tasks = list(tasks.filter(status=Task.Status.OPEN).order_by("due_on", "pk")[:300])
    done = list(tasks.filter(status=Task.Status.DONE).order_by("-completed_at", "-pk")[:30])
    lang = _lang()
    return render(
        request,
        "actions/tasks.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "show_all": show_all,
            "open_tasks": [task_row(t, today, lang) for t in open_tasks],
            "done_tasks": [task_row(t, today, lang) for t in done],
            "overdue_count": sum(1 for t in open_tasks if t.is_overdue(today)),
            "today": today,
        },
    )


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError as exc:
        raise ValidationError(_("Date attendue au format AAAA-MM-JJ.")) from exc


def _client_url(workspace: str, client: Client) -> str:
    return reverse("client-detail", kwargs={"workspace": workspace, "client_id": client.pk})


@login_required
@require_POST
def accept(request: HttpRequest, workspace: str, client_id: int) -> HttpResponse:
    """Turn a recommended action into a task (owner and due date from the form)."""
    membership = membership_for(request.user, workspace)
    client = client_for(membership, client_id)
    _writer(membership)
    error = ""
    try:
        owner_id = request.POST.get("owner", "").strip()
        owner = None
        if owner_id:  # accept_action checks that this person may own a task of the client
            owner = User.objects.filter(pk=_id_or_none(owner_id) or 0).first()
            if owner is None:
                raise ValidationError(
                    _("Cette personne ne peut pas porter une tâche de ce client.")
                )
        task = accept_action(
            client,
            request.POST.get("playbook", ""),
            request.POST.get("action", ""),
            actor=_user(request),
            lang=_lang(),
            owner=owner,
            due_on=_parse_date(request.POST.get("due_on", "")),
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    else:
        done = _("Tâche créée : %(title)s.") % {"title": task.title}
    if _is_htmx(request):
        context = playbooks_context(client, membership, _lang(), request=request)
        context["flash"] = error or done
        context["opened"] = request.POST.get("playbook", "")
        context["flash_error"] = bool(error)
        return render(request, "actions/_client_playbooks.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    playbook = request.POST.get("playbook", "")
    if playbook.isidentifier():  # reopen the playbook the action came from
        return redirect(f"{_client_url(workspace, client)}?open={playbook}#playbook-{playbook}")
    return redirect(_client_url(workspace, client) + "#playbooks")


@login_required
@require_POST
def complete(request: HttpRequest, workspace: str, task_id: int) -> HttpResponse:
    """Mark a task done; it is written in the client's timeline."""
    membership = membership_for(request.user, workspace)
    task = task_for(membership, task_id)
    _writer(membership)
    try:
        complete_task(task, actor=_user(request), comment=request.POST.get("comment", "")[:2000])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Tâche faite : %(title)s. Notée dans l'historique du client.")
            % {"title": task.title_in(_lang())},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("task-list", kwargs={"workspace": workspace})
    return redirect(target)


# -- reply drafts ------------------------------------------------------------------------------


def _about_from(data: Any, fields: list[str]) -> dict[str, str | list[str]]:
    about: dict[str, str | list[str]] = {}
    for name in fields:
        raw = str(data.get(f"about_{name}", ""))[:4000]
        if PLACEHOLDERS[name][0] == LIST:
            about[name] = [line.strip(" -\t") for line in raw.splitlines() if line.strip(" -\t")]
        else:
            about[name] = " ".join(raw.split())
    return about


def _about_rows(
    values: dict[str, str | list[str]], fields: list[str], lang: str
) -> list[dict[str, Any]]:
    rows = []
    for name in fields:
        kind, label_fr, label_en = PLACEHOLDERS[name]
        value = values.get(name, "")
        rows.append(
            {
                "name": name,
                "label": label_fr if lang == "fr" else label_en,
                "is_list": kind == LIST,
                "value": "\n".join(value) if isinstance(value, list) else value,
            }
        )
    return rows


def _id_or_none(value: str) -> int | None:
    """An object id from the query or the form: ASCII digits only ("²".isdigit() is true)."""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


@login_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, workspace: str, client_id: int) -> HttpResponse:
    """Write a reply from a template, in the client's language; check its tone; export it."""
    membership = membership_for(request.user, workspace)
    client = client_for(membership, client_id)
    _writer(membership)
    user = _user(request)
    data = request.POST if request.method == "POST" else request.GET
    templates = load_templates()
    task = None
    task_id = _id_or_none(data.get("task", ""))
    if task_id is not None:
        task = task_for(membership, task_id)
        if task.client_id != client.pk:
            task = None
    template_id = data.get("template", "") or (task.template_id if task else "")
    if template_id not in templates:
        template_id = ""
    contact_id = _id_or_none(data.get("contact", ""))
    lang = language(client.language)
    context: dict[str, Any] = {
        "membership": membership,
        "workspace": membership.workspace,
        "client": client,
        "task": task,
        "templates": sorted(
            ((t.id, t.title_in(_lang())) for t in templates.values()), key=lambda x: x[1]
        ),
        "template_id": template_id,
        "contacts": list(client.contacts.prefetch_related("emails")),
        "draft_lang": lang,
    }
    if not template_id:
        return render(request, "actions/draft.html", context)
    fields = about_fields_of(template_id, lang)
    action = data.get("do", "") if request.method == "POST" else ""
    about = _about_from(data, fields) if request.method == "POST" else {}
    records = draft_context_for(client, user, contact_id=contact_id, about=about)
    context["contact"] = records.contact
    context["template_title"] = templates[template_id].title_in(_lang())
    context["about"] = _about_rows(records.about, fields, _lang())
    try:
        rendered = render_draft(template_id, lang, records.context)
    except MissingPlaceholders as exc:
        context["missing"] = [
            PLACEHOLDERS[n][1] if _lang() == "fr" else PLACEHOLDERS[n][2] for n in exc.names
        ]
        return render(request, "actions/draft.html", context, status=200)
    subject, body = rendered.subject, rendered.body
    if action in ("check", "export"):
        # One line: a subject is a header of the exported .eml (no CR/LF may reach it).
        subject = " ".join(str(data.get("subject", subject)).split())[:500]
        body = str(data.get("body", body))[:20_000]
    if action == "export":
        to_addr = recipient_address(records.contact)
        if not to_addr or "\n" in to_addr or "\r" in to_addr:
            messages.error(request, _("Ce contact n'a pas d'adresse e-mail."))
        else:
            from accalmie.playbooks import Draft

            edited = Draft(subject=subject, body=body.replace("\r\n", "\n"), lang=lang,
                           template_id=template_id)  # fmt: skip
            payload = draft_to_eml(edited, sender_address(user, client), to_addr)
            record_event(
                action="draft.export",
                obj=client,
                workspace_id=client.workspace_id,
                actor=user,
                data={"template": template_id, "task": task.pk if task else None},
            )
            response = HttpResponse(payload, content_type="message/rfc822")
            name = slugify(subject)[:80] or template_id
            response["Content-Disposition"] = f'attachment; filename="{name}.eml"'
            return response
    context.update(
        {
            "subject": subject,
            "body": body,
            "tone": tone_view(body, lang),
            "from_addr": sender_address(user, client),
            "to_addr": recipient_address(records.contact),
        }
    )
    return render(request, "actions/draft.html", context)


@login_required
@require_POST
def tone_check(request: HttpRequest, workspace: str) -> HttpResponse:
    """The tone flags of a draft, as the partial the draft page swaps in as one types."""
    membership = membership_for(request.user, workspace)
    lang = request.POST.get("lang", "")
    return render(
        request,
        "actions/_tone_flags.html",
        {"membership": membership, "tone": tone_view(request.POST.get("body", ""), lang)},
    )


__all__ = ["ABOUT_FIELDS", "accept", "complete", "draft", "task_list", "tone_check"]
