from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "accalmie.core"
    label = "core"

    def ready(self) -> None:
        from accalmie.core import checks  # noqa: F401  (registers the system checks)
