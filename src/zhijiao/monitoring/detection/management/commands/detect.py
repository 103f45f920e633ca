"""zj detect: extract new statements into the event table and score days (the batch pass)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from zhijiao.monitoring.detection import events, ingest, score


class Command(BaseCommand):
    help = "Catch the event table up with the LRS and score days with every detector."

    def add_arguments(self, parser):
        parser.add_argument("--day", action="append", default=[], help="score this day (YYYY-MM-DD); repeatable")
        parser.add_argument("--all", action="store_true", help="score every day in the event table, in order")
        parser.add_argument("--no-extract", action="store_true", help="do not read new statements first")

    def handle(self, *args, **options):
        if not options["no_extract"]:
            result = ingest.backfill()
            self.stdout.write(f"extracted {result.written} events from {result.read} statements "
                              f"(up to seq {result.high_seq})")
        try:
            days = [date.fromisoformat(d).toordinal() for d in options["day"]]
        except ValueError as exc:
            raise CommandError("--day must be a date like 2026-03-02.") from exc
        if options["all"]:
            days = events.days_present()
        if not days:
            days = [date.today().toordinal()]
        for result in score.score_days(sorted(set(days))):
            self.stdout.write(f"{date.fromordinal(result.day)}: {result.events} events, {result.users} accounts, "
                              f"{result.written} findings in {result.seconds:.1f} s {result.fired}")
