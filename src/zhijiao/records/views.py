"""LRS credential administration pages (/manage/lrs/): list, issue, revoke.

A new secret is rendered straight into the response to the POST that issued it (never stored, never
cached): only its SHA-256 is kept, so this page is the one chance to copy it.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhijiao.identity.decorators import admin_page
from zhijiao.identity.models import Organisation, OrgKind
from zhijiao.identity.views import apply_errors
from zhijiao.records import selectors, services
from zhijiao.records.models import Credential

SCOPE_LABELS = {
    Credential.SCOPE_WRITE: gettext_lazy("Write statements and documents"),
    Credential.SCOPE_READ_OWN: gettext_lazy("Read the statements it wrote"),
    Credential.SCOPE_READ_ALL: gettext_lazy("Read all statements"),
}
OWNER_KINDS = (OrgKind.PLATFORM, OrgKind.NATION, OrgKind.PROVINCE, OrgKind.CITY, OrgKind.BUREAU)


class CredentialForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200,
                           help_text=gettext_lazy("The platform or tool that will use it, e.g. its own name."))
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Belongs to"), queryset=Organisation.objects.filter(kind__in=OWNER_KINDS).order_by("path"),
        help_text=gettext_lazy("The connected platform or the body responsible for the tool."),
    )
    scopes = forms.MultipleChoiceField(label=gettext_lazy("May"), choices=list(SCOPE_LABELS.items()),
                                       widget=forms.CheckboxSelectMultiple, initial=[Credential.SCOPE_WRITE])


@admin_page("lrs.manage")
def credentials(request):
    return render(request, "records/manage/credentials.html", {
        "credentials": selectors.credentials_for(request.user), "scope_labels": SCOPE_LABELS,
        "endpoint": request.build_absolute_uri(reverse("xapi:about"))[: -len("about")],
    })


@admin_page("lrs.manage")
def credential_issue(request):
    form = CredentialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            credential, secret = services.issue_credential(
                actor=request.user, name=data["name"], organisation=data["organisation"], scopes=data["scopes"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            response = render(request, "records/manage/credential_secret.html", {
                "credential": credential, "secret": secret,
                "endpoint": request.build_absolute_uri(reverse("xapi:about"))[: -len("about")],
            })
            add_never_cache_headers(response)
            return response
    return render(request, "records/manage/credential_form.html", {"form": form})


@admin_page("lrs.manage")
@require_POST
def credential_revoke(request, pk: int):
    credential = get_object_or_404(Credential, pk=pk)
    services.revoke_credential(actor=request.user, credential=credential, request=request)
    messages.success(request, _("The credential %(key)s is revoked; requests with it are refused from now on.")
                     % {"key": credential.key})
    return redirect("records-manage:credentials")
