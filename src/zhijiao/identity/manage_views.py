"""Administration pages for organisations, people, roles, account security, roster import and sign-on clients."""

from django.shortcuts import render

from zhijiao.identity.decorators import admin_page
from zhijiao.portal import selectors as portal_selectors


def index(request):
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "identity/manage/index.html", {"sections": portal_selectors.admin_sections(request.user)})


@admin_page("org.manage")
def orgs(request):
    raise NotImplementedError


org_detail = org_move = orgs


@admin_page("user.manage")
def users(request):
    raise NotImplementedError


user_detail = users


@admin_page("security.manage")
def security(request):
    raise NotImplementedError
