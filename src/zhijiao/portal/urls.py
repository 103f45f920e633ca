from django.urls import path

from zhijiao.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("lang/<str:code>/", views.switch_language, name="language"),
    path("me/", views.space, name="space"),
    path("me/profile/", views.profile, name="profile"),
    path("me/security/", views.security, name="security"),
]
