from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "accalmie.projects"
    label = "projects"
