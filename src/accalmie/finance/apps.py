from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "accalmie.finance"
    label = "finance"
