"""Edit a project's contract from the web app."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accalmie.accounts.access import membership_for, project_for
from accalmie.comms.permissions import require_record
from accalmie.projects.forms import ContractForm
from accalmie.projects.models import Contract, Project
from accalmie.projects.services import save_contract


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, workspace: str, project_id: int) -> HttpResponse:
    membership = membership_for(request.user, workspace)
    project: Project = project_for(membership, project_id)
    require_record(membership)
    assert isinstance(request.user, User)
    contract = Contract.objects.filter(project=project).first() or Contract(project=project)
    form = ContractForm(request.POST or None, instance=contract, project=project)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        save_contract(
            saved,
            included=form.cleaned_data["scope_included"],
            excluded=form.cleaned_data["scope_excluded"],
            actor=request.user,
        )
        messages.success(request, _("Contrat de « %(name)s » enregistré.") % {"name": project})
        url = reverse(
            "client-detail", kwargs={"workspace": workspace, "client_id": project.client_id}
        )
        return redirect(f"{url}#project-{project.pk}")
    return render(
        request,
        "projects/contract_form.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "client": project.client,
            "project": project,
            "form": form,
            "creating": contract.pk is None,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
