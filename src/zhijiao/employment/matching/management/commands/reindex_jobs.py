from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhijiao.employment.matching import index


class Command(BaseCommand):
    help = _("Rebuild the job search index from scratch: every published job of a verified employer.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size, **options):
        def progress(done):
            if self.verbosity > 1:
                self.stdout.write(f"{done:,}")

        done = index.reindex_all(batch_size=batch_size, progress=progress)
        self.stdout.write(self.style.SUCCESS(_("Indexed %(n)s open jobs in %(s).1f s.") % {
            "n": f"{done['jobs']:,}", "s": done["seconds"]}))
