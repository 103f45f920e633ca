from django.contrib.auth import views as auth_views
from django.urls import path

from zhijiao.identity import roster_views, views

app_name = "identity"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify_view, name="login-verify"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("activate/", roster_views.activate_view, name="activate"),
    path("mfa/setup/", views.mfa_setup_view, name="mfa-setup"),
    path("mfa/disable/", views.mfa_disable_view, name="mfa-disable"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="identity/password_reset_done.html"),
        name="password-reset-done",
    ),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
]
