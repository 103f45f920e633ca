"""Signals other parts of the employment service listen to."""

from django.dispatch import Signal

# Sent once when a job becomes visible to graduates (straight after screening, or when staff publish a
# held posting): ``sender`` is the Job class, ``job`` the posting. Matching indexes and pushes it.
job_published = Signal()
