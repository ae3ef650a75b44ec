from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "accalmie.comms"
    label = "comms"
