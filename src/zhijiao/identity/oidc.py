"""Claims for ID tokens and userinfo: who the user is, and their organisations and roles."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from zhijiao.identity import selectors


class ZhijiaoOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "preferred_username": "profile",
        "locale": "profile",
        "verification": "profile",
        "orgs": "orgs",
        "roles": "orgs",
    }

    def get_additional_claims(self, request):
        user = request.user
        memberships = selectors.memberships_of(user)
        return {
            "name": user.get_full_name(),
            "preferred_username": user.username,
            "locale": user.language,
            "verification": user.verification,
            "email": user.email or "",
            "orgs": [
                {"id": m.organisation_id, "name": m.organisation.name, "kind": m.organisation.kind,
                 "code": m.organisation.code, "role": m.role}
                for m in memberships
            ],
            "roles": sorted({m.role for m in memberships}),
        }
