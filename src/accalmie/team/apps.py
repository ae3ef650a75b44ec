from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "accalmie.team"
    label = "team"
