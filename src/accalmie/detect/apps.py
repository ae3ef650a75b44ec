from django.apps import AppConfig


class DetectConfig(AppConfig):
    name = "accalmie.detect"
    label = "detect"
