from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "accalmie.capture"
    label = "capture"
