"""gunicorn's settings for the atlas, the same in the Docker image and under `make run`.

The address comes from the command line (``--bind``): 0.0.0.0:8000 in the container, HOST:PORT
of the Makefile on a workstation. The number of workers is WEB_CONCURRENCY, which gunicorn
reads itself (Dockerfile: 3).
"""

# A fact sheet PDF or a first download build may take a while; a worker stuck longer than
# this is replaced.
timeout = 60
# A worker is replaced after about this many requests, which returns whatever memory it
# gathered; the jitter keeps the workers from restarting all at once.
max_requests = 2000
max_requests_jitter = 200
# No access log of gunicorn's own: the atlas logs every request itself, with its request id
# (atlas/logs.py).
accesslog = None
# gunicorn 25.1+ would open a control socket in the user's home directory; nothing uses it,
# and two servers on one machine would share its path. (Older versions ignore the name.)
control_socket_disable = True
