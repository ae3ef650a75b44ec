from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "accalmie.core"
    label = "core"
