"""Sign-on client (OIDC) administration pages, for the system administrator only.

A new or regenerated client secret is rendered straight into the response to the POST that made it (never
stored, never cached) because django-oauth-toolkit keeps only its hash: this page is the one chance to copy it.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhijiao.identity import clients as client_services
from zhijiao.identity.decorators import admin_page
from zhijiao.identity.views import apply_errors


class ClientForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=client_services.MAX_NAME_LENGTH,
                           help_text=gettext_lazy("People see it on the consent page, e.g. the platform's own name."))
    client_type = forms.ChoiceField(
        label=gettext_lazy("Client type"),
        choices=[
            (client_services.CONFIDENTIAL, gettext_lazy("Confidential: a web application whose server keeps a secret")),
            (client_services.PUBLIC, gettext_lazy("Public: a mobile or single-page app, without a secret (PKCE only)")),
        ],
    )
    redirect_uris = forms.CharField(
        label=gettext_lazy("Redirect URIs"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line. https, or http only for localhost and 127.0.0.1."),
    )
    post_logout_redirect_uris = forms.CharField(
        label=gettext_lazy("Addresses after sign-out"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Where the platform may send people after signing them out. One per line."),
    )
    trusted = forms.BooleanField(
        label=gettext_lazy("Trusted: skip the consent page"), required=False,
        help_text=gettext_lazy("Only for the platform's own sub-platforms."),
    )

    @classmethod
    def for_client(cls, client, data=None):
        initial = client_services.settings_of(client)
        for field in ("redirect_uris", "post_logout_redirect_uris"):
            initial[field] = "\n".join(initial[field])
        return cls(data, initial=initial)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "client_type": data["client_type"],
            "redirect_uris": data["redirect_uris"].split(),
            "post_logout_redirect_uris": data["post_logout_redirect_uris"].split(),
            "trusted": data["trusted"],
        }


def _discovery_url(request) -> str:
    return request.build_absolute_uri(reverse("oauth2_provider:oidc-connect-discovery-info"))


def _show_secret(request, issued: client_services.Issued):
    response = render(request, "identity/manage/clients_secret.html", {
        "client": issued.client, "secret": issued.secret, "discovery_url": _discovery_url(request),
    })
    add_never_cache_headers(response)
    return response


@admin_page("oidc.manage")
def clients(request):
    return render(request, "identity/manage/clients.html", {
        "clients": client_services.all_clients(), "discovery_url": _discovery_url(request),
    })


@admin_page("oidc.manage")
def client_create(request):
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = client_services.create_client(request.user, **form.service_arguments(), request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The client %(name)s is registered.") % {"name": issued.client.name})
            if issued.secret:
                return _show_secret(request, issued)
            return redirect("manage:client", pk=issued.client.pk)
    return render(request, "identity/manage/clients_form.html", {"form": form, "client": None})


@admin_page("oidc.manage")
def client_edit(request, pk: int):
    client = client_services.client_by_pk(pk)
    form = ClientForm.for_client(client, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = client_services.update_client(request.user, client, **form.service_arguments(), request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            if issued.secret:
                return _show_secret(request, issued)
            return redirect("manage:clients")
    return render(request, "identity/manage/clients_form.html", {
        "form": form, "client": client, "discovery_url": _discovery_url(request),
    })


@admin_page("oidc.manage")
@require_POST
def client_secret(request, pk: int):
    client = client_services.client_by_pk(pk)
    try:
        issued = client_services.regenerate_secret(request.user, client, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manage:client", pk=client.pk)
    messages.success(request, _("A new secret is issued; the old one no longer works."))
    return _show_secret(request, issued)


@admin_page("oidc.manage")
def client_delete(request, pk: int):
    client = client_services.client_by_pk(pk)
    if request.method == "POST":
        client_services.delete_client(request.user, client, request=request)
        messages.success(request, _("The client %(name)s is removed.") % {"name": client.name})
        return redirect("manage:clients")
    return render(request, "identity/manage/clients_delete.html", {"client": client})
