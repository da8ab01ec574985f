"""WSGI entry point: `gunicorn wsgi:app`."""
from crossborder_crm import create_app

app = create_app()
