"""The demo portal as a WSGI application, for gunicorn (``make demo``): the
configuration file is named by ``CKAN_INI``."""
import os

from ckan.cli import load_config
from ckan.config.middleware import make_app

application = make_app(load_config(os.environ["CKAN_INI"]))
