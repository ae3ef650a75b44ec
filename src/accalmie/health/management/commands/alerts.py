from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from accalmie.core.management.jsonout import write_json
from accalmie.health.models import Alert, Status
from accalmie.health.services import acknowledge_alert, snooze_alert
from accalmie.health.views_support import alert_reasons


class Command(BaseCommand):
    help = "List health alerts; acknowledge or snooze one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="only this workspace (slug)")
        parser.add_argument("--user", help="only the alerts sent to this user (username)")
        parser.add_argument("--all", action="store_true", help="include acknowledged and snoozed")
        parser.add_argument("--acknowledge", type=int, metavar="ID", help="acknowledge alert ID")
        parser.add_argument("--snooze", type=int, metavar="ID", help="snooze alert ID")
        parser.add_argument("--days", type=int, default=7, help="snooze for this many days")
        parser.add_argument("--as", dest="actor", help="username acting (acknowledge, snooze)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        alerts = Alert.objects.select_related("client", "workspace").prefetch_related("recipients")
        if options["workspace"]:
            alerts = alerts.filter(workspace__slug=options["workspace"])
        target = options["acknowledge"] or options["snooze"]
        if target:
            alert = alerts.filter(pk=target).first()
            if alert is None:
                raise CommandError(f"No alert #{target}")
            actor = get_user_model().objects.filter(username=options["actor"] or "").first()
            if actor is None:
                raise CommandError("Say who acts with --as USERNAME")
            if not alert.workspace.memberships.filter(user=actor).exists():
                raise CommandError(f"{actor} is not a member of {alert.workspace.slug}")
            if options["acknowledge"]:
                acknowledge_alert(alert, actor)
                self.stdout.write(f"Alert #{alert.pk} acknowledged.")
            else:
                snooze_alert(alert, actor, options["days"])
                self.stdout.write(f"Alert #{alert.pk} snoozed until {alert.snoozed_until}.")
            return
        if options["user"]:
            alerts = alerts.filter(recipients__username=options["user"])
        if not options["all"]:
            alerts = alerts.filter(acknowledged_at__isnull=True).filter(
                Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=timezone.localdate())
            )
        rows = [
            {
                "id": a.pk,
                "workspace": a.workspace.slug,
                "client": a.client.name,
                "client_id": a.client_id,
                "kind": a.kind,
                "raised_on": a.raised_on,
                "status_from": a.status_from,
                "status_to": a.status_to,
                "score_from": a.score_from,
                "score_to": a.score_to,
                "reasons": a.reasons,
                "recipients": sorted(u.username for u in a.recipients.all()),
                "acknowledged": a.acknowledged_at is not None,
                "snoozed_until": a.snoozed_until,
            }
            for a in alerts.order_by("-raised_on", "-pk")
        ]
        if options["json"]:
            write_json(self.stdout, rows)
            return
        if not rows:
            self.stdout.write("No alert.")
            return
        for r in rows:  # in words; --json keeps the keys
            reasons = ", ".join(
                f"{x['label']} {x['points']:+.0f}" for x in alert_reasons(r["reasons"], "")
            )
            self.stdout.write(
                f"#{r['id']:<5} {r['raised_on']}  {Alert.Kind(r['kind']).label:<20} "
                f"{r['client']:<32} {Status(r['status_from']).label} → "
                f"{Status(r['status_to']).label} ({r['score_from']:.0f} → {r['score_to']:.0f})"
                f"  {reasons}  → {', '.join(r['recipients'])}"
            )
