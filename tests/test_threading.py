"""Which thread a new exchange joins when nothing but its subject links it."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accalmie.comms.models import Thread
from accalmie.comms.threading import ThreadFinder, ThreadQuery


def _thread(agency, client, subject: str) -> Thread:
    return Thread.objects.create(
        workspace=agency.workspace, client=client, subject=subject, normalized_subject=subject
    )


def test_a_reply_by_subject_joins_its_own_clients_thread_only(agency):
    mine = _thread(agency, agency.client, "facture")
    _thread(agency, agency.other_client, "facture")
    finder = ThreadFinder(agency.workspace.pk)
    found = finder.find_many(
        [ThreadQuery(agency.client.pk, "RE: Facture", []), ThreadQuery(None, "Facture", [])]
    )
    assert found[0].pk == mine.pk
    assert found[1].pk != mine.pk and found[1].client_id is None  # a new thread
    # Another client's thread of the same subject is not even read.
    assert (agency.other_client.pk, "facture") not in finder.by_subject
    # Asked again, nothing is read twice.
    with CaptureQueriesContext(connection) as again:
        assert finder.find(agency.client.pk, "Facture", []).pk == mine.pk
    assert not [q for q in again if q["sql"].lstrip().upper().startswith("SELECT")]
