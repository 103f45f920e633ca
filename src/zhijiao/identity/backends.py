"""Sign in with a username, an email address or a mobile number."""

from django.contrib.auth.backends import ModelBackend

from zhijiao.identity.models import User


class UsernamePhoneEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from zhijiao.identity.services import find_user_by_identifier

        user = find_user_by_identifier(username or "")
        if user is None:
            # Spend the same time as a real check so response time does not reveal unknown accounts.
            User().set_password(password or "")
            return None
        if user.check_password(password or "") and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # The authenticator comes along (one LEFT JOIN) because every API call and admin page asks for it.
        try:
            # get(), not filter().first(): no ORDER BY to build, a measurable part of every request.
            user = User._default_manager.select_related("totp").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
