"""Administration pages for organisations, people and roles, and account security.

Every page is scoped: an administrator sees and changes only what lies under the organisations where
they hold the capability; anything else is a 404, so other counties' schools are not even confirmed to exist.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhijiao.identity import auth, permissions, selectors, services
from zhijiao.identity.decorators import admin_page
from zhijiao.identity.models import ALLOWED_PARENTS, Membership, Organisation, OrgKind, Role, User
from zhijiao.identity.views import apply_errors
from zhijiao.portal import selectors as portal_selectors

PAGE_SIZE = 50


def index(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "identity/manage/index.html", {
        "sections": portal_selectors.admin_sections(request.user),
        "needs_mfa": auth.needs_mfa_enrolment(request.user),
    })


def _scoped_org(user: User, org_id: int, *capabilities: str) -> Organisation:
    org = get_object_or_404(Organisation, pk=org_id)
    if not any(permissions.can(user, capability, org) for capability in capabilities):
        raise Http404
    return org


def _scope_roots(user: User, *capabilities: str) -> list[Organisation]:
    paths = {path for capability in capabilities for path in permissions.scope_paths(user, capability)}
    return list(Organisation.objects.filter(path__in=paths).order_by("path"))


def _lookup_org(value: str, user: User, capability: str) -> Organisation | None:
    """An organisation the admin typed (code, #id or exact name), if one such lies in their scope."""
    in_scope = [org for org in selectors.organisations_by_reference(value) if permissions.can(user, capability, org)]
    return in_scope[0] if len(in_scope) == 1 else None


# --- Organisations -----------------------------------------------------------------------------------


class OrgSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or code"), max_length=100, required=False)


class OrgForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OrgKind.choices)
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32, required=False,
                           help_text=gettext_lazy("Division code (6 digits) or school identification code (10 digits)."))

    def __init__(self, *args, parent: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, OrgKind(k).label) for k in OrgKind.values if parent.kind in ALLOWED_PARENTS[k]]


class OrgEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32, required=False)


class MoveForm(forms.Form):
    parent = forms.CharField(label=gettext_lazy("New parent (code or #id)"), max_length=40)


@admin_page("org.manage")
def orgs(request):
    form = OrgSearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = selectors.search_organisations(form.cleaned_data["q"],
                                                 within=permissions.scope_paths(request.user, "org.manage"))
    return render(request, "identity/manage/orgs.html", {
        "form": form, "results": results, "roots": _scope_roots(request.user, "org.manage"),
    })


@admin_page("org.manage")
def org_detail(request, org_id: int):
    org = _scoped_org(request.user, org_id, "org.manage")
    create_form = OrgForm(request.POST if request.POST.get("form") == "create" else None, parent=org, prefix="new")
    edit_form = OrgEditForm(request.POST if request.POST.get("form") == "edit" else None,
                            initial={"name": org.name, "code": org.code}, prefix="edit")
    if request.method == "POST":
        try:
            if request.POST.get("form") == "create" and create_form.is_valid():
                child = services.create_organisation(request.user, parent=org, request=request, **create_form.cleaned_data)
                messages.success(request, _("Created %(name)s.") % {"name": child.name})
                return redirect("manage:org", org_id=org.pk)
            if request.POST.get("form") == "edit" and edit_form.is_valid():
                services.update_organisation(request.user, org, request=request, **edit_form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("manage:org", org_id=org.pk)
        except ValidationError as exc:
            apply_errors(create_form if request.POST.get("form") == "create" else edit_form, exc)
    children = list(org.children.order_by("code", "name")[:500])
    visible_ancestors = [a for a in org.ancestors() if permissions.can(request.user, "org.manage", a)]
    return render(request, "identity/manage/org_detail.html", {
        "org": org, "ancestors": visible_ancestors, "children": children, "create_form": create_form,
        "edit_form": edit_form, "can_create": bool(create_form.fields["kind"].choices),
        "member_count": Membership.objects.filter(organisation=org).count(),
    })


@admin_page("org.manage")
def org_move(request, org_id: int):
    org = _scoped_org(request.user, org_id, "org.manage")
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = _lookup_org(form.cleaned_data["parent"], request.user, "org.manage")
        if target is None:
            form.add_error("parent", _("No organisation with this code or id in your scope."))
        else:
            try:
                services.move_organisation(request.user, org, target, request=request)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Moved %(name)s under %(parent)s.") % {"name": org.name, "parent": target.name})
                return redirect("manage:org", org_id=org.pk)
    return render(request, "identity/manage/org_move.html", {"org": org, "form": form})


# --- People and roles --------------------------------------------------------------------------------


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or username"), max_length=100, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=[("", "—")] + Role.choices, required=False)


class NewUserForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    real_name = forms.CharField(label=gettext_lazy("Real name"), max_length=100)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=[(r, Role(r).label) for r in services.BASIC_ROLES])
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=gettext_lazy("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)


class GuardianForm(forms.Form):
    guardian_username = forms.CharField(label=gettext_lazy("Guardian's username"), max_length=150)
    relation = forms.CharField(label=gettext_lazy("Relation"), max_length=32, required=False,
                               help_text=gettext_lazy("For example 父亲, 母亲 or 祖母."))


class GrantForm(forms.Form):
    organisation = forms.CharField(label=gettext_lazy("Organisation (code or #id)"), max_length=40)
    role = forms.ChoiceField(label=gettext_lazy("Role"))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in Role.values if r in roles]


# People are listed to whoever manages accounts or grants roles there (the security administrator finds
# people here to give them roles); opening accounts takes user.manage.
PEOPLE_CAPABILITIES = ("user.manage", "role.manage")


@admin_page(*PEOPLE_CAPABILITIES)
def users(request):
    roots = _scope_roots(request.user, *PEOPLE_CAPABILITIES)
    org_id = request.GET.get("org")
    org = (_scoped_org(request.user, int(org_id), *PEOPLE_CAPABILITIES) if org_id and org_id.isdecimal()
           else roots[0])
    can_open_accounts = permissions.can(request.user, "user.manage", org)
    filters = MemberFilterForm(request.GET or None)
    query, role = "", None
    if filters.is_valid():
        query, role = filters.cleaned_data["q"], filters.cleaned_data["role"] or None
    after = int(request.GET["after"]) if request.GET.get("after", "").isdecimal() else 0
    members, next_after = selectors.members_page(org, role=role, query=query, after=after, limit=PAGE_SIZE)
    new_form = NewUserForm(request.POST or None) if can_open_accounts else None
    if request.method == "POST" and new_form is not None and new_form.is_valid():
        try:
            created = services.create_user(request.user, organisation=org, request=request, **new_form.cleaned_data)
        except ValidationError as exc:
            apply_errors(new_form, exc)
        else:
            messages.success(request, _("Opened an account for %(name)s.") % {"name": created.real_name})
            return redirect("manage:user", user_id=created.pk)
    return render(request, "identity/manage/users.html", {
        "org": org, "roots": roots, "filters": filters, "members": members,
        "next_after": next_after, "new_form": new_form,
    })


@admin_page("user.manage", "role.manage")
def user_detail(request, user_id: int):
    target = get_object_or_404(User, pk=user_id)
    actor = request.user
    if not (permissions.can_manage_user(actor, target) or permissions.can_manage_user(actor, target, "role.manage")):
        raise Http404
    grant_form = GrantForm(request.POST if request.POST.get("form") == "grant" else None,
                           roles=permissions.grantable_roles(actor))
    if request.method == "POST" and request.POST.get("form") == "grant" and grant_form.is_valid():
        org = _lookup_org(grant_form.cleaned_data["organisation"], actor, "role.manage")
        if org is None:
            grant_form.add_error("organisation", _("No organisation with this code or id in your scope."))
        else:
            try:
                services.grant_role(actor, target, org, grant_form.cleaned_data["role"], request=request)
            except ValidationError as exc:
                apply_errors(grant_form, exc)
            except PermissionDenied:
                grant_form.add_error(None, _("You may not give this person this role there."))
            else:
                messages.success(request, _("Role granted."))
                return redirect("manage:user", user_id=target.pk)
    can_link_guardians = permissions.can_manage_user(actor, target)
    guardian_form = GuardianForm(request.POST if request.POST.get("form") == "guardian" else None, prefix="g")
    if request.method == "POST" and request.POST.get("form") == "guardian" and can_link_guardians \
            and guardian_form.is_valid():
        guardian = User.objects.with_username(guardian_form.cleaned_data["guardian_username"]).first()
        if guardian is None:
            guardian_form.add_error("guardian_username", _("No account has this username."))
        else:
            try:
                services.link_guardian(actor, guardian=guardian, minor=target,
                                       relation=guardian_form.cleaned_data["relation"], request=request)
            except ValidationError as exc:
                guardian_form.add_error("guardian_username", exc.messages)
            else:
                messages.success(request, _("Guardian recorded."))
                return redirect("manage:user", user_id=target.pk)
    memberships = [(m, permissions.may_grant(actor, target, m.role, m.organisation))
                   for m in selectors.memberships_of(target)]
    return render(request, "identity/manage/user_detail.html", {
        "target": target, "memberships": memberships, "grant_form": grant_form,
        "can_grant": bool(grant_form.fields["role"].choices) and actor.pk != target.pk,
        "has_totp": auth.has_confirmed_totp(target),
        "security": permissions.can_manage_user(actor, target, "security.manage"),
        "guardians": selectors.guardians_of(target), "guardian_form": guardian_form,
        "can_link_guardians": can_link_guardians,
    })


@admin_page("role.manage")
@require_POST
def revoke(request, membership_id: int):
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=membership_id)
    try:
        services.revoke_role(request.user, membership, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404
    else:
        messages.success(request, _("Role revoked."))
    return redirect("manage:user", user_id=membership.user_id)


# --- Account security (security administrator) ---------------------------------------------------------


class FindUserForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)


@admin_page("security.manage")
def security(request):
    form = FindUserForm(request.GET or None)
    found = None
    if form.is_valid():
        found = User.objects.with_username(form.cleaned_data["username"]).first()
        if found is None or not permissions.can_manage_user(request.user, found, "security.manage"):
            form.add_error("username", _("No such account in your scope."))
            found = None
    scope = permissions.scope_paths(request.user, "security.manage")
    candidates = selectors.locked_accounts(within=scope)
    permissions.preload_memberships(candidates)
    locked = [u for u in candidates if permissions.can_manage_user(request.user, u, "security.manage")]
    return render(request, "identity/manage/security.html", {
        "form": form, "found": found, "found_totp": found is not None and auth.has_confirmed_totp(found),
        "locked": locked,
    })


def _security_target(request, user_id: int) -> User:
    target = get_object_or_404(User, pk=user_id)
    if not permissions.can_manage_user(request.user, target, "security.manage"):
        raise Http404
    return target


@admin_page("security.manage")
@require_POST
def unlock(request, user_id: int):
    target = _security_target(request, user_id)
    services.unlock_user(request.user, target, request=request)
    messages.success(request, _("Unlocked %(name)s.") % {"name": target.username})
    return redirect("manage:security")


@admin_page("security.manage")
@require_POST
def reset_mfa(request, user_id: int):
    target = _security_target(request, user_id)
    try:
        auth.disable_totp(request.user, target, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manage:security")
    messages.success(request, _("Two-step verification of %(name)s was reset; they set it up again at next sign-in.")
                     % {"name": target.username})
    return redirect("manage:security")
