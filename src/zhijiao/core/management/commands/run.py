"""`zj run`: prepare the embedded default and serve it on 127.0.0.1:8000.

Migrates the SQLite database under var/, seeds the small demo data set when the database is empty,
prints the demo accounts, then replaces itself with gunicorn.
"""

import os
import shutil
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Migrate, seed demo data into an empty database, and serve the platform."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        # Requests are CPU-bound Python: sync workers, about two per core (as benchmarked).
        parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
        parser.add_argument("--no-seed", action="store_true")

    def handle(self, *args, **opts):
        from zhijiao.identity.models import Organisation

        call_command("migrate", interactive=False, verbosity=0)
        if not opts["no_seed"] and not Organisation.objects.exists():
            self.stdout.write(_("Seeding the small demo data set (first start only)…"))
            call_command("seed", scale="small")
        self._print_accounts(opts["bind"])
        gunicorn = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
        # A large roster import runs inside its request (tens of seconds at 100,000 rows); a sync worker
        # busy that long must not be taken for a hung one.
        argv = [gunicorn, "zhijiao.wsgi:application", "--bind", opts["bind"], "--workers", str(opts["workers"]),
                "--timeout", "300", "--access-logfile", "-"]
        sys.stdout.flush()
        os.execv(gunicorn, argv)

    def _print_accounts(self, bind):
        from zhijiao.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
        from zhijiao.identity.models import User

        present = set(User.objects.filter(username__in=[u for u, _ in DEMO_ACCOUNTS]).values_list("username", flat=True))
        self.stdout.write("")
        self.stdout.write(_("Zhijiao is starting at http://%(bind)s/ (sign in: http://%(bind)s/accounts/login/)")
                          % {"bind": bind})
        if present:
            self.stdout.write(_("Demo accounts (password %(password)s):") % {"password": DEMO_PASSWORD})
            for username, label in DEMO_ACCOUNTS:
                if username in present:
                    self.stdout.write(f"  {username:<24} {label}")
            self.stdout.write(_("Administrator accounts set up two-step verification (any TOTP app) at first sign-in."))
            self.stdout.write(_("Password-reset mail lands in the outbox: http://%(bind)s/manage/outbox/ (demo_sysadmin).")
                              % {"bind": bind})
        self.stdout.write("")
