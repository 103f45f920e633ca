"""`zj audit verify` checks the audit chain end to end; `zj audit prune` applies the retention period.

Run both from cron or Celery beat: prune daily, verify at least daily (docs/security.md). verify exits
with status 1 on a broken chain so the scheduler can raise an alarm.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhijiao.core import audit


class Command(BaseCommand):
    # argparse needs real strings, so help texts are translated when the parser is built, not at import.
    @property
    def help(self):
        return _("Check the audit log's hash chain (verify) or remove entries past retention (prune).")

    def add_arguments(self, parser):
        tasks = parser.add_subparsers(dest="task", required=True, metavar="{verify,prune}")
        tasks.add_parser("verify",
                         help=_("Check every retained entry; exit status 1 if any was altered or removed."))
        tasks.add_parser("prune", help=_("Remove entries older than ZJ_AUDIT_RETENTION_DAYS (at least 180)."))

    def handle(self, *args, task, **options):
        if task == "verify":
            self.verify()
        else:
            self.prune()

    def verify(self):
        result = audit.verify()
        if result.ok:
            self.stdout.write(ngettext("audit chain intact: %(n)d entry checked",
                                       "audit chain intact: %(n)d entries checked", result.checked)
                              % {"n": result.checked})
            return
        problems = {
            "altered": _("audit entry #%(seq)d was altered, or the chain was re-linked at it"),
            "missing": _("audit entry #%(seq)d is missing"),
            "head": _("the chain's head record was altered (it claims #%(seq)d is the newest entry)"),
        }
        problem = problems[result.problem] % {"seq": result.first_bad_seq}
        self.stderr.write(_("audit chain BROKEN: %(problem)s (%(n)d entries before it are intact)")
                          % {"problem": problem, "n": result.checked})
        raise SystemExit(1)

    def prune(self):
        days = settings.ZJ_AUDIT_RETENTION_DAYS
        if days < audit.MIN_RETENTION_DAYS:
            raise CommandError(_("ZJ_AUDIT_RETENTION_DAYS is %(days)d; the audit log must be kept at least "
                                 "%(minimum)d days, so nothing was removed.")
                               % {"days": days, "minimum": audit.MIN_RETENTION_DAYS})
        removed = audit.prune()
        self.stdout.write(ngettext("%(n)d audit entry older than %(days)d days removed",
                                   "%(n)d audit entries older than %(days)d days removed", removed)
                          % {"n": removed, "days": days})
