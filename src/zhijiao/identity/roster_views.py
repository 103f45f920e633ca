"""Roster import pages."""

from zhijiao.identity.decorators import admin_page


@admin_page("user.manage")
def roster(request):
    raise NotImplementedError
