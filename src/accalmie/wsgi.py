"""WSGI entry point, used by `accalmie serve` (waitress) or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accalmie.settings")
application = get_wsgi_application()
