from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "accalmie.actions"
    label = "actions"
    verbose_name = "Actions"
