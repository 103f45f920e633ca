from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhijiao.demo import seeding
from zhijiao.identity.models import OrgKind


class Command(BaseCommand):
    help = _("Fill an empty database with deterministic demo data: the real division tree, synthetic "
             "schools and people, and one demo account per role.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(seeding.SCALES), default=seeding.DEFAULT_SCALE,
                            help=_("small (default) to click around, medium for a national-shaped tree."))
        parser.add_argument("--seed", type=int, default=seeding.DEFAULT_SEED,
                            help=_("The same seed always gives the same names, codes and usernames."))

    def handle(self, *args, scale, seed, **options):
        if seeding.demo_data_present():
            self.stdout.write(_("Demo data is already present; nothing to do."))
            return
        try:
            summary = seeding.seed_demo_data(scale, seed)
        except seeding.SeedRefused as exc:
            raise CommandError(str(exc)) from exc
        kinds = ", ".join(f"{OrgKind(kind).label} {n:,}" for kind, n in summary.organisations.items())
        self.stdout.write(self.style.SUCCESS(
            _("Seeded demo data (scale %(scale)s, seed %(seed)s) in %(seconds).1f s.")
            % {"scale": summary.scale, "seed": summary.seed, "seconds": summary.seconds}
        ))
        self.stdout.write(_("Organisations: %(total)s (%(kinds)s)") % {
            "total": f"{sum(summary.organisations.values()):,}", "kinds": kinds})
        self.stdout.write(_("Users: %(users)s; memberships: %(memberships)s; guardian links: %(links)s") % {
            "users": f"{summary.users:,}", "memberships": f"{summary.memberships:,}",
            "links": f"{summary.guardian_links:,}"})
