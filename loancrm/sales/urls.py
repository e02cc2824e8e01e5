from django.urls import path

from loancrm.sales import views

app_name = "sales"

urlpatterns = [
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/close/", views.task_close, name="task-close"),
    path("leads/<int:lead_id>/follow-ups/", views.follow_up_create, name="follow-up-create"),
    path("leads/<int:lead_id>/interactions/", views.interaction_create, name="interaction-create"),
    path("interactions/<int:pk>/recording/", views.recording_download, name="recording"),
    path("settings/", views.settings_page, name="settings"),
    path("tags/", views.tag_settings, name="tags"),
    path("leads/<int:lead_id>/tags/", views.lead_tags, name="lead-tags"),
    path("scripts/", views.script_list, name="scripts"),
    path("scripts/new/", views.script_edit, name="script-new"),
    path("scripts/<int:pk>/edit/", views.script_edit, name="script-edit"),
]
