from django.urls import path

from . import views

app_name = "dialogue"
urlpatterns = [
    path("", views.index, name="index"),
]
