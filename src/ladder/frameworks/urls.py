from django.urls import path

from . import views

app_name = "frameworks"
urlpatterns = [
    path("", views.home, name="home"),
    path("ladders/<slug:slug>/", views.overview, name="overview"),
    path("ladders/<slug:slug>/levels/<str:code>/", views.level_detail, name="level"),
    path("ladders/<slug:slug>/compare/", views.compare_form, name="compare-form"),
    path("ladders/<slug:slug>/compare/<str:a>/<str:b>/", views.compare, name="compare"),
    path("ladders/<slug:slug>/versions/", views.versions, name="versions"),
    path("ladders/<slug:slug>/versions/<int:number>/", views.version_detail, name="version"),
    path(
        "ladders/<slug:slug>/versions/<int:old>/diff/<int:new>/",
        views.version_diff,
        name="diff",
    ),
    path("ladders/<slug:slug>/search/", views.search_view, name="search"),
    path("ladders/<slug:slug>/print/", views.print_ladder, name="print"),
    path("ladders/<slug:slug>/download.md", views.download, {"fmt": "md"}, name="download-md"),
    path(
        "ladders/<slug:slug>/download.json", views.download, {"fmt": "json"}, name="download-json"
    ),
]
