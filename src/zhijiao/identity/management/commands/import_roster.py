"""`zj import-roster FILE --org <code or id> [--as <username>]`: import a roster file from the server.

Without ``--as`` the operator imports on the server's own authority (audited as "operator"); with it,
the named administrator's "user.manage" scope applies, exactly as on the web page. Every row's school
must lie under ``--org``. The activation codes of new accounts are written to a CSV slip readable only
by the file's owner; the database keeps only their hashes, so keep the slip until it is handed out.

Exit status: 0 when every row was imported, 2 when some rows were rejected (they are listed on standard
error), 1 when the file as a whole could not be imported (nothing changed).
"""

import os
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhijiao.identity import roster, selectors
from zhijiao.identity.models import Organisation, User


class Command(BaseCommand):
    help = "Import students, teachers and parents from a CSV or XLSX roster file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the roster file (.csv in UTF-8 or GBK, or .xlsx)")
        parser.add_argument("--org", required=True,
                            help="organisation code (e.g. 330106 or a school code), or its id (#12 or 12)")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                            help="import as this administrator, within their scope")
        parser.add_argument("--slip", help="where to write the activation codes "
                                           "(default: FILE-activation-codes.csv beside the file)")
        parser.add_argument("--reissue-codes", action="store_true",
                            help="give accounts in the file that were never activated a new activation code")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        org = self._organisation(opts["org"])
        actor = None
        if opts["as_user"]:
            actor = User.objects.with_username(opts["as_user"]).filter(is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {opts['as_user']}")
        try:
            with path.open("rb") as upload:
                result = roster.import_roster(actor, upload, file_name=path.name, within=org,
                                              reissue_codes=opts["reissue_codes"])
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        except PermissionDenied as exc:
            raise CommandError(f"{actor.username} may not manage people in {org.name}") from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        if result.ignored_columns:
            self.stderr.write(f"columns ignored (not known): {', '.join(result.ignored_columns)}")
        for error in result.errors:
            self.stderr.write(f"line {error.line} [{error.column}]: {error.message}")
        self.stdout.write(
            f"{path.name}: {result.rows} rows; {result.created} accounts created, {result.existing} already "
            f"present, {result.memberships_added} memberships added, {result.organisations_created} grades "
            f"and classes created, {result.guardians_linked} guardians linked, {result.rejected} rows rejected."
        )
        if result.slip:
            slip_path = Path(opts["slip"]) if opts["slip"] else path.with_name(f"{path.stem}-activation-codes.csv")
            self._write_private(slip_path, roster.slip_csv(result.slip))
            self.stdout.write(f"Activation codes for {len(result.slip)} accounts: {slip_path}")
        if result.rejected:
            raise CommandError(f"{result.rejected} rows were not imported; see the lines above.", returncode=2)

    def _organisation(self, ref: str) -> Organisation:
        found = selectors.organisations_by_reference(ref, limit=2)
        if len(found) != 1:
            raise CommandError(f"no organisation {ref}" if not found else f"{ref} names several organisations; use #id")
        return found[0]

    def _write_private(self, path: Path, text: str) -> None:
        """The slip holds live activation codes: only the file's owner may read it."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
