from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.evaluation_create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/index.xlsx", views.export_index, name="export_index"),
    path("<int:pk>/binder.zip", views.export_zip, name="export_zip"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/link/", views.item_link, name="item_link"),
    path("items/<int:pk>/files/", views.item_files, name="item_files"),
    path("links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("files/<int:pk>/", views.item_file_download, name="item_file_download"),
    path("files/<int:pk>/delete/", views.item_file_delete, name="item_file_delete"),
    path("tables/import/", views.table_import, name="table_import"),
    path("tables/template.xlsx", views.table_template, name="table_template"),
    path("tables/<int:pk>/", views.table_detail, name="table_detail"),
    path("tables/<int:pk>/items/new/", views.item_create, name="item_create"),
    path("table-items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/decision/", views.meeting_decision, name="meeting_decision"),
    path("budget/", views.budget_list, name="budget_list"),
    path("budget/<int:pk>/file/", views.budget_download, name="budget_download"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:pk>/file/", views.document_download, name="document_download"),
]
