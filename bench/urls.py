"""The product's URLs and, beside them, the floor view (bench/floor.py): the urlconf of the
benchmarks only (ROOT_URLCONF in bench/settings.py, or override_settings in bench/pages.py)."""

from django.urls import path

from bench.floor import URL, bare_view
from cls_platform.urls import urlpatterns as product_urlpatterns

urlpatterns = [path(URL.strip("/") + "/", bare_view, name="bench_floor"), *product_urlpatterns]

from cls_platform.urls import handler403, handler404  # noqa: E402, F401
