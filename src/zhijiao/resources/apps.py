from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "zhijiao.resources"
    label = "resources"
    verbose_name = _("Resource centre")  # 资源中心
