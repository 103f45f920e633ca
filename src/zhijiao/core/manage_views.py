"""Administration pages owned by the shared kernel: the audit log (audit admin) and the outbox."""

from zhijiao.identity.decorators import admin_page


@admin_page("outbox.read")
def outbox(request):
    raise NotImplementedError


@admin_page("audit.read")
def audit_log(request):
    raise NotImplementedError


@admin_page("audit.read")
def audit_export(request):
    raise NotImplementedError
