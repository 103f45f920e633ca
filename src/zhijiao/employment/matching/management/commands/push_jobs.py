from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhijiao.employment.matching import push, tasks


class Command(BaseCommand):
    help = _("The daily push (每日推送): new matching jobs to every graduate with a job intention, once a day. "
             "With a Celery broker the chunks go to the workers; without one they run here.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("The push day, YYYY-MM-DD (default: today)."))
        parser.add_argument("--chunk-size", type=int, default=push.CHUNK_SIZE,
                            help=_("Graduates per chunk task."))

    def handle(self, *args, date=None, chunk_size, **options):
        day = None
        if date:
            try:
                day = _parse_day(date)
            except ValueError as exc:
                raise CommandError(_("Give the date as YYYY-MM-DD, e.g. 2026-07-01.")) from exc
        if chunk_size < 1:
            raise CommandError(_("The chunk size must be at least 1."))
        summary = tasks.coordinate(day, chunk_size=chunk_size)
        self.stdout.write(self.style.SUCCESS(_(
            "Push of %(day)s: %(chunks)s chunks, %(graduates)s graduates served, %(items)s jobs pushed, %(mails)s "
            "mails queued, %(pruned)s expired jobs pruned, in %(s).1f s.") % {
            "day": summary.day, "chunks": summary.chunks, "graduates": f"{summary.result.graduates:,}",
            "items": f"{summary.result.items:,}", "mails": f"{summary.result.mails:,}", "pruned": summary.pruned,
            "s": summary.seconds}))


def _parse_day(text: str):
    return date.fromisoformat(text)
