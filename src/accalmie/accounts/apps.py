from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accalmie.accounts"
    label = "accounts"
