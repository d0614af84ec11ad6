"""Gunicorn's settings for the web server, wherever it runs: `gunicorn --config gunicorn.conf.py
cls_platform.wsgi` (the image's command and docker-compose.yml's), and the load test
(bench/load), which measures the server production runs.

- WEB_CONCURRENCY worker processes (gunicorn's own variable; the image sets 3), of `threads`
  threads each. Threads rather than one request per process: a page waits on PostgreSQL a dozen
  times, and a contract's PDF (up to 5 s) waits on its renderer processes; a synchronous worker
  does nothing meanwhile, and three people printing held every other page. Under the load test
  (2 cores, 20 connections, on a machine shared with other work, load 6 to 14), 3 synchronous
  workers served 16.4 to 16.6 pages a second, 5 of them 19.8, 3 × 4 threads 16.0 to 36.5: never
  fewer. Django and the application already run threaded (runserver); the audit trail keeps its
  request per thread (cls_platform/audit.py).
- One line per request on standard output: the container's log, the only record of the
  requests when the reverse proxy keeps none.
GUNICORN_CMD_ARGS changes any of this without a new image.
"""

worker_class = "gthread"
threads = 4
accesslog = "-"
