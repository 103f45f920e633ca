"""`zj createadmin`: the operator opens an administrator account from the server's command line.

The three separated administrators (system, security, audit) can only be created here: no web page
hands them out, so no administrator can make another one.
"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from zhijiao.identity import selectors, services
from zhijiao.identity.models import Organisation, OrgKind, Role, User

CHOICES = [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.BUREAU_ADMIN, Role.SCHOOL_ADMIN,
           Role.PLATFORM_OPERATOR, Role.REVIEWER]


class Command(BaseCommand):
    help = "Create an administrator account (or give an existing account an administrator role)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=[str(r) for r in CHOICES])
        parser.add_argument("--org", help="organisation code or #id (default: the root of the tree)")
        parser.add_argument("--real-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args, **opts):
        org = self._organisation(opts["org"])
        user = User.objects.with_username(opts["username"]).first()
        try:
            with transaction.atomic():
                if user is None:
                    password = self._password(opts["password_stdin"])
                    user = services.open_account(username=opts["username"], password=password, email=opts["email"],
                                              phone="", real_name=opts["real_name"], language="zh-hans")
                services.grant_role_as_operator(user, org, opts["role"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(_("%(user)s: %(role)s at %(org)s. Two-step verification is set up at first sign-in.")
                          % {"user": user.username, "role": Role(opts["role"]).label, "org": org.name})

    def _organisation(self, ref):
        if not ref:
            root = Organisation.objects.filter(parent=None, kind=OrgKind.NATION).first()
            return root or services.create_organisation(None, name="中华人民共和国", kind=OrgKind.NATION, parent=None)
        found = selectors.organisations_by_reference(ref, limit=2)
        if len(found) != 1:
            raise CommandError(f"no organisation {ref}" if not found else f"{ref} names several organisations; use #id")
        return found[0]

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the passwords differ")
        return first
