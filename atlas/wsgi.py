import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlas.settings")
application = get_wsgi_application()

# What was built so far (Django, the apps, their modules: about 300,000 objects) lives as long
# as the worker. Frozen, it is left out of every later walk of Python's cyclic garbage
# collector, which a request that builds year tables sets off many times: about a tenth of
# such a request's time.
gc.collect()
gc.freeze()
