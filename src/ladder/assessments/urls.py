from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("people/<int:pk>/assessments/", views.assessment_list, name="list"),
    path("people/<int:pk>/assessments/start/", views.assessment_start, name="start"),
    path("people/<int:pk>/assessments/side-by-side/", views.side_by_side, name="side-by-side"),
    path("people/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("people/<int:pk>/plan/", views.plan, name="plan"),
    path("people/<int:pk>/plan/generate/", views.plan_generate, name="plan-generate"),
    path("people/<int:pk>/plan/items/<int:item>/", views.plan_item, name="plan-item"),
    path("assessments/<int:pk>/", views.assessment_detail, name="detail"),
    path("assessments/<int:pk>/share/", views.assessment_share, name="share"),
    path("reports/", views.reports, name="reports"),
]
