"""Entry point for gunicorn (`wsgi:app`) and the Flask CLI (`flask --app wsgi`)."""
from dotenv import load_dotenv

from app import create_app

load_dotenv()  # a .env file beside this one configures gunicorn as it does the flask CLI
app = create_app()
