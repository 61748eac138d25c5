"""gunicorn settings for `make run` and production; HOST, PORT and WEB_WORKERS from the environment."""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# SQLite serialises writers anyway; PostgreSQL deployments raise WEB_WORKERS.
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn ≥25 opens a control socket at one path per user; a second site (or a test
# server) on the same account would take it over. Nothing here uses it.
control_socket_disable = True
