from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhijiao.cockpit import services as cockpit
from zhijiao.demo import learning, resource_centre, resources_bulk, seeding, sensitive_words
from zhijiao.employment import demo as employment_demo
from zhijiao.employment.hiring.demo import seed_hiring
from zhijiao.employment.matching import bulk as matching_bulk
from zhijiao.identity.models import Membership, OrgKind, User
from zhijiao.monitoring.demo import seed_monitoring


class Command(BaseCommand):
    help = _("Fill an empty database with deterministic demo data: the real division tree, synthetic "
             "schools and people, and one demo account per role.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=[*seeding.SCALES, "large"], default=seeding.DEFAULT_SCALE,
                            help=_("small (default) to click around, medium for a national-shaped tree."))
        parser.add_argument("--seed", type=int, default=seeding.DEFAULT_SEED,
                            help=_("The same seed always gives the same names, codes and usernames."))
        parser.add_argument("--statements", type=int, default=None,
                            help=_("About how many learning records (xAPI statements) to simulate; 0 for none. "
                                   "Default: 20,000 at small scale, 100,000 at medium."))

    def handle(self, *args, **options):
        # The seed runs the rollups itself at the end: no background passes in this short-lived process (a
        # thread still working when the interpreter exits can bring the process down with it).
        live = settings.ZJ_COCKPIT_LIVE_ROLLUPS, settings.ZJ_MONITORING_LIVE_DETECTION
        settings.ZJ_COCKPIT_LIVE_ROLLUPS = settings.ZJ_MONITORING_LIVE_DETECTION = False
        try:
            self.seed(**options)
        finally:
            settings.ZJ_COCKPIT_LIVE_ROLLUPS, settings.ZJ_MONITORING_LIVE_DETECTION = live

    def seed(self, *, scale, seed, statements=None, **options):
        if seeding.demo_data_present():
            self.stdout.write(_("Demo data is already present; nothing to do."))
            return
        try:
            # "large" is the medium tree plus 1,000,000 resources (benchmarks).
            summary = seeding.seed_demo_data("medium" if scale == "large" else scale, seed)
        except seeding.SeedRefused as exc:
            raise CommandError(str(exc)) from exc
        kinds = ", ".join(f"{OrgKind(kind).label} {n:,}" for kind, n in summary.organisations.items())
        self.stdout.write(self.style.SUCCESS(
            _("Seeded demo data (scale %(scale)s, seed %(seed)s) in %(seconds).1f s.")
            % {"scale": summary.scale, "seed": summary.seed, "seconds": summary.seconds}
        ))
        self.stdout.write(_("Organisations: %(total)s (%(kinds)s)") % {
            "total": f"{sum(summary.organisations.values()):,}", "kinds": kinds})
        sensitive_words.seed()
        centre = resource_centre.seed_resource_centre(scale)
        self.stdout.write(_("Resource centre: taxonomy loaded, %(lessons)s demo lessons, %(resources)s sample "
                            "resources published") % {"lessons": f"{centre.lessons:,}", "resources": centre.resources})
        if resources_bulk.COUNTS[scale]:
            bulk = resources_bulk.seed_resources(resources_bulk.COUNTS[scale], seed=seed)
            self.stdout.write(_("Bulk resources: %(n)s published in %(c).0f s, indexed for search in %(i).0f s") % {
                "n": f"{bulk['resources']:,}", "c": bulk["create_seconds"], "i": bulk["index_seconds"]})
        jobs_bulk = matching_bulk.seed(scale, seed=seed)  # 1,000,000 jobs and graduates at --scale large
        if jobs_bulk:
            self.stdout.write(_("Bulk employment data: %(j)s open jobs (indexed) and %(g)s graduates in %(s).0f s") % {
                "j": f"{jobs_bulk['jobs']:,}", "g": f"{jobs_bulk['graduates']:,}",
                "s": jobs_bulk["job_seconds"] + jobs_bulk["graduate_seconds"]})
        learned = learning.simulate_learning(learning.statements_for_scale(scale, statements), seed=seed)
        self.stdout.write(_("Learning records: %(statements)s in %(sessions)s study sessions of %(learners)s "
                            "learners, %(first)s to %(last)s (%(seconds).1f s)") % {
            "statements": f"{learned.statements:,}", "sessions": f"{learned.sessions:,}",
            "learners": f"{learned.learners:,}", "first": learned.first_day, "last": learned.last_day,
            "seconds": learned.seconds})
        hired = employment_demo.seed_employment_core(scale, seed)
        self.stdout.write(_("Employment: %(graduates)s graduates, %(employers)s employers, %(jobs)s jobs (%(held)s "
                            "held by screening)") % hired.__dict__)
        rolled = cockpit.catch_up()
        self.stdout.write(_("Data cockpit: %(n)s learning records counted into the rollups") % {"n": f"{rolled.counted:,}"})
        self.stdout.write(seed_hiring(scale, seed).describe())
        monitored = seed_monitoring(scale, seed, learning_records=statements != 0)
        self.stdout.write(_("Monitoring centre: %(p)s credit-course platforms, %(c)s credit courses, %(k)s cases") % {
            "p": monitored.platforms, "c": monitored.courses, "k": monitored.cases})
        # Later steps add people (reviewers, graduates, monitors), so they are counted once all are done.
        self.stdout.write(_("Users: %(users)s; memberships: %(memberships)s; guardian links: %(links)s") % {
            "users": f"{User.objects.count():,}", "memberships": f"{Membership.objects.count():,}",
            "links": f"{summary.guardian_links:,}"})
