from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from shuangyong import health, views

admin.site.site_header = "双拥通 管理后台"
admin.site.site_title = "双拥通"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/large-text/", views.large_text_switch, name="large_text_switch"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/contact/", views.unit_contact_edit, name="unit_contact_edit"),
    path("notifications/", include("shuangyong.notification_views")),
    path("reminders/", include("shuangyong.reminder_views")),
    path("tasks/", include("tasks.urls")),
    path("visits/", include("visits.urls")),
    path("reports/", include("reports.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("admin/", admin.site.urls),
]
