"""The interned query terms stay exact: agents whose term digests collide still find only their own
statements, and a term the process remembers but the dictionary lost (a rolled-back insert) is still
found under its digest."""

from __future__ import annotations

import json

from zhijiao.records import indexing, selectors, services
from zhijiao.records.models import IndexTerm

from .conftest import statement


def ids(response):
    return [s["id"] for s in response.json()["statements"]]


def test_agents_whose_term_digests_collide_are_told_apart(lrs, monkeypatch):
    real = indexing.term_hash

    def colliding(term):  # every agent term gets the same digest
        return 42 if term.startswith("A ") else real(term)

    monkeypatch.setattr(services, "term_hash", colliding)
    monkeypatch.setattr(selectors, "term_hash", colliding)
    monkeypatch.setattr(services, "_TERM_IDS", {})
    people = [f"mailto:pupil{i}@example.com" for i in range(3)]
    sent = {mbox: statement(actor={"mbox": mbox}) for mbox in people}
    assert lrs.post(list(sent.values())).status_code == 200
    agent_ids = set(IndexTerm.objects.filter(term__startswith="A ").values_list("id", flat=True))
    assert len(agent_ids) == 3 and 42 in agent_ids  # one kept the digest, the others the next free ids
    for mbox, body in sent.items():
        assert ids(lrs.get({"agent": json.dumps({"mbox": mbox})})) == [body["id"]]
        more = statement(actor={"mbox": mbox})  # known to the dictionary now: found again by term
        assert lrs.post([more]).status_code == 200
        assert set(ids(lrs.get({"agent": json.dumps({"mbox": mbox})}))) == {body["id"], more["id"]}


def test_a_remembered_term_missing_from_the_dictionary_is_found_by_its_digest(lrs):
    first = statement(actor={"mbox": "mailto:lost@example.com"})
    assert lrs.post([first]).status_code == 200
    # As if the transaction that added the term had been rolled back while this process remembered it.
    IndexTerm.objects.filter(term="A mailto:lost@example.com").delete()
    second = statement(actor={"mbox": "mailto:lost@example.com"})
    assert lrs.post([second]).status_code == 200
    found = ids(lrs.get({"agent": json.dumps({"mbox": "mailto:lost@example.com"})}))
    assert set(found) == {first["id"], second["id"]}
