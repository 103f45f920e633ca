"""The three-party agreement as a PDF (就业协议书), built from the stored content and signature records."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from zhijiao.core.pdf import Fields, Grid, Heading, Paragraph, render
from zhijiao.employment.hiring.models import Agreement, AgreementState, Party


def agreement_pdf(agreement: Agreement) -> bytes:
    sigs = list(agreement.signatures.select_related("signer"))
    party_labels = dict(Party.choices)
    graduate = agreement.graduate
    blocks = [
        Fields([
            (_("Agreement number"), agreement.number or _("(issued when the school approves)")),
            (_("State"), str(AgreementState(agreement.state).label)),
            (_("Content SHA-256"), agreement.content_hash),
        ]),
        Heading(_("Parties")),
        Fields([
            (_("Employer (Party A)"),
             f"{agreement.employer.organisation.name} ({agreement.employer.organisation.code})"),
            (_("Graduate (Party B)"), graduate.real_name or graduate.username),
            (_("School (Party C)"), agreement.school.name),
        ]),
        Heading(_("Terms")),
        Fields([
            (_("Post"), agreement.post),
            (_("Monthly salary (yuan)"), str(agreement.salary)),
            (_("Start date"), agreement.start_date.isoformat()),
            (_("Place of work"), agreement.workplace_code or "—"),
            (_("Liquidated damages (yuan)"), str(agreement.liquidated_damages) if agreement.liquidated_damages
             else _("None")),
        ]),
        Paragraph(agreement.contract_terms),
        Heading(_("Signature records")),
        Grid([_("Party"), _("Account"), _("Time"), _("Key"), _("Signature (HMAC-SHA256)")],
             [[str(party_labels.get(s.party, s.party)), s.signer.username,
               timezone.localtime(s.signed_at).strftime("%Y-%m-%d %H:%M:%S"), s.key_id, s.mac] for s in sigs]),
        Paragraph(_("Each signature is an HMAC-SHA256, made with the signer's own platform-held key, over the "
                    "party, the account, the time, the content SHA-256 above and (for the school) the agreement "
                    "number. Check this agreement on the platform's verification page with its number and "
                    "content SHA-256."), small=True),
    ]
    return render(_("Three-party employment agreement (就业协议书)"), blocks, author="Zhijiao 24365",
                  subject=agreement.number or "")
