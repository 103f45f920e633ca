"""Sign-on client (OIDC) administration pages."""

from zhijiao.identity.decorators import admin_page


@admin_page("oidc.manage")
def clients(request):
    raise NotImplementedError
