from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "accalmie.demo"
    label = "demo"
