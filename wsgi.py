"""WSGI entry point: `gunicorn wsgi:app` (and `flask --app wsgi …`), in a checkout or installed.

The package installs this module too (pyproject.toml, py-modules), so the same command serves an
installed package from any folder; the app is built from the environment (CRM_* variables).
"""
from crossborder_crm import create_app

app = create_app()
