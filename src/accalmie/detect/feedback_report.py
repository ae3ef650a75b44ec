"""`accalmie eval --feedback`: each signal's precision as people judged its hits."""

from __future__ import annotations

from django.core.management.base import CommandError, OutputWrapper

from accalmie.accounts.models import Workspace
from accalmie.core.management.jsonout import write_json
from accalmie.detect.feedback import precision_from_feedback
from accalmie.health.feedback import behaviour_precision


def feedback_report(workspace_slug: str | None) -> dict[str, object]:
    workspace_id = None
    if workspace_slug:
        workspace = Workspace.objects.filter(slug=workspace_slug).first()
        if workspace is None:
            raise CommandError(f"No workspace « {workspace_slug} »")
        workspace_id = workspace.pk
    # Text hits (detect.HitFeedback) and behavioural signs (health.BehaviourFeedback).
    kinds = [
        ("text", precision_from_feedback(workspace_id)),
        ("behaviour", behaviour_precision(workspace_id)),
    ]
    rows = [r for _kind, judged in kinds for r in judged]
    right = sum(r.right for r in rows)
    wrong = sum(r.wrong for r in rows)
    return {
        "workspace": workspace_slug,
        "judged": right + wrong,
        "right": right,
        "wrong": wrong,
        "precision": round(right / (right + wrong), 4) if right + wrong else None,
        "signals": [{**r.as_dict(), "kind": kind} for kind, judged in kinds for r in judged],
    }


def write_feedback_report(out: OutputWrapper, workspace_slug: str | None, *, as_json: bool) -> None:
    report = feedback_report(workspace_slug)
    if as_json:
        write_json(out, {"feedback": report})
        return
    where = f" in {workspace_slug}" if workspace_slug else ""
    if not report["judged"]:
        out.write(f"No feedback on hits yet{where}.\n")
        return
    out.write(f"Precision from people's feedback{where}: right / (right + wrong)\n")
    out.write(f"{'kind':<11}{'signal':<26}{'right':>7}{'wrong':>7}{'judged':>8}{'P':>8}\n")
    signals: list[dict[str, object]] = report["signals"]  # type: ignore[assignment]
    for row in signals:
        precision = row["precision"]
        shown = f"{precision:.3f}" if isinstance(precision, float) else "-"
        out.write(
            f"{row['kind']!s:<11}{row['signal']!s:<26}{row['right']!s:>7}{row['wrong']!s:>7}"
            f"{row['judged']!s:>8}{shown:>8}\n"
        )
    total = report["precision"]
    out.write(
        f"{'all':<37}{report['right']!s:>7}{report['wrong']!s:>7}{report['judged']!s:>8}"
        f"{total:>8.3f}\n"
    )
    noted = [(row["signal"], n) for row in signals for n in row["notes"]]  # type: ignore[attr-defined]
    if noted:
        out.write("\nNotes:\n")
        for signal, note in noted:
            out.write(f"- {signal} [{note['verdict']}] « {note['evidence']} »: {note['note']}\n")
