import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhijiao.resources import search


class Command(BaseCommand):
    help = _("Rebuild the search index of published resources from scratch (oldest publication first).")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--popularity-only", action="store_true",
                            help=_("Only refresh popularity and ratings of indexed resources."))

    def handle(self, *args, batch_size, popularity_only, **options):
        started = time.monotonic()
        if popularity_only:
            changed = search.refresh_popularity(batch_size)
            self.stdout.write(_("Refreshed popularity of %(n)s resources.") % {"n": f"{changed:,}"})
            return

        def progress(done):
            if self.verbosity > 1:
                self.stdout.write(f"{done:,}")

        total = search.reindex_all(batch_size=batch_size, progress=progress)
        self.stdout.write(self.style.SUCCESS(_("Indexed %(n)s published resources in %(s).1f s.") % {
            "n": f"{total:,}", "s": time.monotonic() - started}))
