from django.urls import path

from ladder.urls import handler500  # noqa: F401 (the site's error page)
from ladder.urls import urlpatterns as site_urlpatterns

FAILURE = "a deliberate failure, to see where its traceback goes"


def fail(request):
    raise RuntimeError(FAILURE)


urlpatterns = [path("fail/", fail), *site_urlpatterns]
