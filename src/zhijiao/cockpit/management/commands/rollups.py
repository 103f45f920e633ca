from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhijiao.cockpit import services


class Command(BaseCommand):
    help = _("Count newly stored learning records into the cockpit rollups, or rebuild the rollups from scratch.")

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true",
                            help=_("Empty every rollup and count all statements again."))

    def handle(self, *args, rebuild, **options):
        if rebuild:
            def progress(counted, seconds):
                self.stdout.write(_("%(n)s statements in %(s).0f s") % {"n": f"{counted:,}", "s": seconds})

            result = services.rebuild(progress=progress if options["verbosity"] > 1 else None)
        else:
            result = services.catch_up()
        self.stdout.write(self.style.SUCCESS(
            _("Counted %(n)s statements; %(gaps)s sequence gaps still watched; %(days)s days recomputed.") % {
                "n": f"{result.counted:,}", "gaps": result.gaps_open, "days": result.days_recomputed}))
