from django.urls import path

from tasks import dual_list_views, import_views, views

app_name = "tasks"
urlpatterns = [
    path("", views.task_board, name="task_board"),
    path("mine/", views.my_tasks, name="my_tasks"),
    path("completion/", views.completion, name="completion"),
    path("export/", views.tasks_export, name="tasks_export"),
    path("import-excel/", views.tasks_import, name="tasks_import"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/import/", import_views.plan_import, name="plan_import"),
    path("plans/import/save/", import_views.plan_import_save, name="plan_import_save"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("<int:pk>/breakdown/", views.task_breakdown, name="task_breakdown"),
    path("<int:pk>/progress/", views.progress_create, name="progress_create"),
    path("<int:pk>/closure/", views.closure_request, name="closure_request"),
    path("<int:pk>/complete-on-behalf/", views.complete_on_behalf, name="complete_on_behalf"),
    path("<int:pk>/extension/", views.extension_request, name="extension_request"),
    path("<int:pk>/milestones/", views.milestone_create, name="milestone_create"),
    path("closure/<int:pk>/decide/", views.closure_decide, name="closure_decide"),
    path("extension/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("milestones/<int:pk>/toggle/", views.milestone_toggle, name="milestone_toggle"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("dual/", dual_list_views.dual_list, name="dual_list"),
    path("dual/new/", dual_list_views.dual_item_create, name="dual_item_create"),
    path("dual/export/", dual_list_views.dual_list_export, name="dual_list_export"),
    path("dual/import/", dual_list_views.dual_list_import, name="dual_list_import"),
    path("dual/categories/", dual_list_views.categories, name="dual_categories"),
    path("dual/categories/<int:pk>/", dual_list_views.categories, name="dual_category_edit"),
    path("dual/<int:pk>/", dual_list_views.dual_item_detail, name="dual_item_detail"),
    path("dual/<int:pk>/<slug:action>/", dual_list_views.dual_item_action, name="dual_item_action"),
    path("dual/reconcile/", dual_list_views.reconciliation_index, name="reconciliation_index"),
    path("dual/reconcile/<int:troop_pk>/<int:year>/", dual_list_views.reconciliation, name="reconciliation"),
    path(
        "dual/reconcile/<int:troop_pk>/<int:year>/export/",
        dual_list_views.reconciliation_export,
        name="reconciliation_export",
    ),
    path("dual/reconcile/<int:troop_pk>/<int:year>/carry-over/", dual_list_views.carry_over, name="carry_over"),
]
