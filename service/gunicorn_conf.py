"""Configure gunicorn from the environment (the Procfile's ``web:`` line loads this).

PORT (default 8000) and HOST (default 0.0.0.0) set the address; NEWSDESK_WORKERS,
NEWSDESK_THREADS and NEWSDESK_TIMEOUT the process model.
"""

import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# Two cores per machine: two single-threaded CTranslate2 workers use both.
workers = int(os.environ.get("NEWSDESK_WORKERS", "2"))
threads = int(os.environ.get("NEWSDESK_THREADS", "2"))
timeout = int(os.environ.get("NEWSDESK_TIMEOUT", "120"))
# create_app() runs once in the master: packs are installed once, not once per worker.
preload_app = True
accesslog = "-"


def post_worker_init(worker):
    """Load the installed packs in each worker, after the fork, before its first request.

    Not in the master: CTranslate2 translators own threads, and threads do not survive
    a fork.
    """
    from service import translation

    settings = worker.wsgi.config["NEWSDESK"]
    if settings.preload_packs:
        translation.preload(settings)
