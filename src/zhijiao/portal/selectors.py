"""What the portal shows a given user."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhijiao.identity import permissions

# (capability, url name, label, description) for each administration page.
ADMIN_SECTIONS = [
    ("org.manage", "manage:orgs", _("Organisations"), _("Browse, search, create and move organisations")),
    ("user.manage", "manage:users", _("People"), _("Accounts and roles of people in your organisations")),
    ("role.manage", "manage:users", _("Roles"), _("Grant and revoke roles within your scope")),
    ("user.manage", "manage:roster", _("Roster import"), _("Open accounts in bulk from student and teacher records")),
    ("security.manage", "manage:security", _("Account security"), _("Unlock accounts and reset two-step verification")),
    ("oidc.manage", "manage:clients", _("Sign-on clients"), _("Platforms that sign users in through Zhijiao")),
    ("lrs.manage", "records-manage:credentials", _("LRS credentials"),
     _("Keys that connected platforms and tools use to send learning records")),
    ("outbox.read", "manage:outbox", _("Outbox"), _("Messages the platform sent")),
    ("audit.read", "manage:audit", _("Audit log"), _("Every sensitive action, tamper-evident")),
    ("screening.manage", "manage:screening", _("Sensitive words"),
     _("The dictionary machine pre-screening checks resources and postings against")),
    ("resource.review", "resources-manage:queue", _("Resource review"),
     _("Review resources before they go online and on every update; spot checks")),
    ("complaint.handle", "resources-manage:complaints", _("Resource complaints"),
     _("Reports about resources: take down or dismiss, and tell the reporter")),
    ("resource.catalogue", "resources-manage:catalogue", _("Resource catalogue"),
     _("Boards, columns, textbook units and lessons")),
]


def admin_sections(user):
    seen, sections = set(), []
    for capability, url_name, label, description in ADMIN_SECTIONS:
        if (url_name, label) in seen or not permissions.has_capability(user, capability):
            continue
        seen.add((url_name, label))
        sections.append({"url": reverse(url_name), "label": label, "description": description})
    return sections
