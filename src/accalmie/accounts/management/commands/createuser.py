from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accalmie.accounts.models import Role, Workspace
from accalmie.accounts.services import create_user
from accalmie.core.management.jsonout import write_json


class Command(BaseCommand):
    help = "Create a user, optionally with a role in a workspace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--workspace", help="slug of the workspace to join")
        parser.add_argument("--role", default=Role.TEAM_MEMBER, choices=Role.values)
        parser.add_argument("--superuser", action="store_true", help="may use the admin site")
        parser.add_argument(
            "--password-env",
            default="ACCALMIE_NEW_PASSWORD",
            help="environment variable holding the password (default ACCALMIE_NEW_PASSWORD); "
            "asked interactively when unset",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def _password(self, env_name: str) -> str:
        password = os.environ.get(env_name, "")
        if password:
            return password
        if not sys.stdin.isatty():
            raise CommandError(f"No password: set {env_name} or run in a terminal")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = None
        if options["workspace"]:
            workspace = Workspace.objects.filter(slug=options["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace « {options['workspace']} »")
        password = self._password(options["password_env"])
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        try:
            user = create_user(
                username=options["username"],
                password=password,
                email=options["email"],
                full_name=options["name"],
                workspace=workspace,
                role=options["role"],
                is_superuser=options["superuser"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        result = {
            "username": user.get_username(),
            "workspace": workspace.slug if workspace else None,
            "role": options["role"] if workspace else None,
            "superuser": user.is_superuser,
        }
        if options["json"]:
            write_json(self.stdout, result)
        else:
            where = f" in {workspace.slug} as {options['role']}" if workspace else ""
            self.stdout.write(self.style.SUCCESS(f"User « {user.get_username()} » created{where}."))
