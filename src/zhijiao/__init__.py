"""智教 Zhijiao: an open-source smart education public service platform."""

from .celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
