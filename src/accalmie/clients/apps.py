from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "accalmie.clients"
    label = "clients"
