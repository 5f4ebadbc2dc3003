from django.urls import path

from visits import views_import, views_ledger, views_levels, views_returns, views_transfers

app_name = "visits"

urlpatterns = [
    # the ledger
    path("ledger/", views_ledger.beneficiary_list, name="beneficiary_list"),
    path("ledger/new/", views_ledger.beneficiary_create_view, name="beneficiary_create"),
    path("ledger/export/", views_ledger.beneficiary_export, name="beneficiary_export"),
    path("ledger/<int:pk>/", views_ledger.beneficiary_detail, name="beneficiary_detail"),
    path("ledger/<int:pk>/edit/", views_ledger.beneficiary_edit, name="beneficiary_edit"),
    path("ledger/<int:pk>/reveal/", views_ledger.beneficiary_reveal, name="beneficiary_reveal"),
    path("ledger/<int:pk>/contacts/", views_ledger.contact_create, name="contact_create"),
    path("ledger/<int:pk>/difficulties/", views_ledger.difficulty_create_view, name="difficulty_create"),
    path("ledger/difficulties/<int:pk>/", views_ledger.difficulty_update_view, name="difficulty_update"),
    # transfers (迁出 → 迁入)
    path("ledger/<int:pk>/transfer/", views_transfers.transfer_create, name="transfer_create"),
    path("transfers/", views_transfers.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", views_transfers.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", views_transfers.transfer_accept_view, name="transfer_accept"),
    path("transfers/<int:pk>/refuse/", views_transfers.transfer_refuse_view, name="transfer_refuse"),
    path("transfers/<int:pk>/withdraw/", views_transfers.transfer_withdraw_view, name="transfer_withdraw"),
    # campaigns and returns
    path("campaigns/", views_returns.campaign_list, name="campaign_list"),
    path("campaigns/new/", views_returns.campaign_create_view, name="campaign_create"),
    path("campaigns/next-year/", views_returns.campaign_next_year, name="campaign_next_year"),
    path("campaigns/<int:pk>/", views_returns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views_returns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/duplicates/", views_returns.campaign_duplicates, name="campaign_duplicates"),
    path("campaigns/<int:pk>/export/", views_returns.campaign_records_export, name="campaign_records_export"),
    path("campaigns/<int:pk>/completeness/", views_levels.campaign_completeness_view, name="campaign_completeness"),
    path("campaigns/<int:pk>/units/<int:unit_pk>/", views_returns.unit_return, name="unit_return"),
    path(
        "campaigns/<int:pk>/units/<int:unit_pk>/table/submit/",
        views_levels.office_return_submit,
        name="office_return_submit",
    ),
    path("campaigns/<int:pk>/units/<int:unit_pk>/submit/", views_returns.unit_return_submit, name="return_submit"),
    path("campaigns/<int:pk>/units/<int:unit_pk>/records/new/", views_returns.record_create, name="record_create"),
    path("units/<int:unit_pk>/people/", views_returns.person_search, name="person_search"),
    path("returns/<int:pk>/accept/", views_returns.return_accept_view, name="return_accept"),
    path("returns/<int:pk>/send-back/", views_returns.return_send_back_view, name="return_send_back"),
    path("returns/<int:pk>/reopen/", views_returns.return_reopen_view, name="return_reopen"),
    path("records/<int:pk>/", views_returns.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", views_returns.record_edit, name="record_edit"),
    path("records/<int:pk>/delete/", views_returns.record_delete, name="record_delete"),
    # import
    path("import/<slug:kind>/", views_import.import_upload, name="import_upload"),
    path("import/<slug:kind>/template/", views_import.import_template, name="import_template"),
    path("import/<slug:kind>/confirm/", views_import.import_confirm, name="import_confirm"),
    path("import/<slug:kind>/cancel/", views_import.import_cancel, name="import_cancel"),
]
