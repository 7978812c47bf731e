from django.urls import path

from .views import assessments, directory, growth, ladder_upload, reports

app_name = "assessments"
urlpatterns = [
    path("people/<int:pk>/assessments/", assessments.assessment_list, name="list"),
    path("people/<int:pk>/assessments/start/", assessments.assessment_start, name="start"),
    path(
        "people/<int:pk>/assessments/side-by-side/", assessments.side_by_side, name="side-by-side"
    ),
    path("people/<int:pk>/evidence/", growth.evidence, name="evidence"),
    path("people/<int:pk>/plan/", growth.plan, name="plan"),
    path("people/<int:pk>/plan/generate/", growth.plan_generate, name="plan-generate"),
    path("people/<int:pk>/plan/items/<int:item>/", growth.plan_item, name="plan-item"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="detail"),
    path("assessments/<int:pk>/share/", assessments.assessment_share, name="share"),
    path("reports/", reports.reports, name="reports"),
    # The people directory shows readiness, so it is served here: people sits below assessments.
    path("people/", directory.directory, name="directory"),
    path("ladders/<slug:slug>/versions/new/", ladder_upload.ladder_upload, name="ladder-upload"),
]
