from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("campaigns/<int:campaign_pk>/units/<int:unit_pk>/table.xlsx", views.unit_table, name="unit_table"),
    path("campaigns/<int:pk>/county-<str:basis>.xlsx", views.county_workbook, name="county_workbook"),
    path("tasks/<int:year>/closure.xlsx", views.task_closure, name="task_closure"),
]
