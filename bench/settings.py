"""The product's settings with the benchmark's urlconf, for the load test's gunicorn
(DJANGO_SETTINGS_MODULE=bench.settings): the floor view served beside the product's pages.
Static files keep their plain names (no manifest, so no collectstatic into var/ is needed): the
load test requests pages, not their assets."""

from cls_platform.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
