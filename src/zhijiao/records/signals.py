"""Signals of the learning record store, for apps that react to new learning records.

``statements_stored`` is sent after the transaction that stored a batch has committed, once per batch,
with ``count``: readers such as the cockpit's rollups schedule their work from it, so the LRS never
imports them.
"""

from django.dispatch import Signal

statements_stored = Signal()
