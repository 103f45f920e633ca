from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "zhijiao.identity"
    label = "identity"
    verbose_name = _("Identity (智教通行证)")

    def ready(self):
        from oauth2_provider.signals import app_authorized

        from zhijiao.identity.oidc import record_token_issued

        app_authorized.connect(record_token_issued, dispatch_uid="zhijiao-oidc-token-audit")
