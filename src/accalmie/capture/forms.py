from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accalmie.capture.models import ImportJob, MailAccount
from accalmie.clients.models import Client


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type de fichier"),
        choices=[
            (ImportJob.Kind.MBOX, _("Boîte mbox (export de Thunderbird, Gmail, Apple Mail…)")),
            (ImportJob.Kind.EML, _("Un message .eml")),
            (ImportJob.Kind.CSV, _("Journal d'appels et de réunions (CSV)")),
        ],
    )
    file = forms.FileField(label=_("Fichier"))


class MailAccountForm(forms.ModelForm):
    folders_text = forms.CharField(
        label=_("Dossiers à synchroniser"),
        required=False,
        help_text=_("Un par ligne ; vide pour INBOX."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = MailAccount
        fields = [
            "label",
            "host",
            "port",
            "security",
            "username",
            "password_env",
            "password_file",
            "ca_file",
        ]
        help_texts = {
            "password_env": _(
                "Le mot de passe n'est jamais enregistré : indiquez la variable "
                "d'environnement du serveur qui le contient…"
            ),
            "password_file": _("… ou le chemin d'un fichier secret lisible par le serveur."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("password_env") and not data.get("password_file"):
            raise forms.ValidationError(
                _("Indiquez où lire le mot de passe : variable d'environnement ou fichier secret.")
            )
        if data.get("security") == MailAccount.Security.PLAIN and data.get("host") not in {
            "127.0.0.1",
            "localhost",
            "::1",
        }:
            raise forms.ValidationError(
                _("Une connexion sans chiffrement n'est permise que vers cette machine.")
            )
        return data

    def folder_list(self) -> list[str]:
        text = self.cleaned_data.get("folders_text", "")
        return [line.strip() for line in text.splitlines() if line.strip()]


class AssignForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), label=_("Client"))
    whole_domain = forms.BooleanField(
        required=False, label=_("Toutes les adresses de ce domaine appartiennent à ce client")
    )

    def __init__(self, *args: Any, clients: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clients is not None:
            self.fields["client"].queryset = clients  # type: ignore[attr-defined]
