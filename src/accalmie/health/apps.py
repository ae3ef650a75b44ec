from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "accalmie.health"
    label = "health"
    verbose_name = "Health"
