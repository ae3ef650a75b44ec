from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accalmie.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    path("w/<slug:workspace>/", include("accalmie.clients.urls")),
    path("w/<slug:workspace>/", include("accalmie.comms.urls")),
    path("w/<slug:workspace>/", include("accalmie.capture.urls")),
    path("w/<slug:workspace>/", include("accalmie.health.urls")),
    path("w/<slug:workspace>/", include("accalmie.actions.urls")),
    path("w/<slug:workspace>/", include("accalmie.detect.urls")),
    path("w/<slug:workspace>/", include("accalmie.team.urls")),
    path("w/<slug:workspace>/", include("accalmie.finance.urls")),
    path("w/<slug:workspace>/", include("accalmie.projects.urls")),
    path("admin/", admin.site.urls),
]
