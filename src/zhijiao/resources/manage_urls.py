"""Administration pages of the resource centre: review, complaints, catalogue (/manage/resources/)."""

from django.urls import path

from zhijiao.resources import manage_views

app_name = "resources-manage"

urlpatterns = [
    path("review/", manage_views.review_queue, name="queue"),
    path("review/spot-checks/", manage_views.spot_check, name="spot-check"),
    path("review/<int:task_id>/", manage_views.review, name="review"),
    path("complaints/", manage_views.complaints, name="complaints"),
    path("complaints/<int:complaint_id>/", manage_views.complaint, name="complaint"),
    path("catalogue/", manage_views.catalogue_index, name="catalogue"),
    path("catalogue/boards/<int:board_id>/", manage_views.board, name="board"),
    path("catalogue/volumes/", manage_views.volumes, name="volumes"),
    path("catalogue/volumes/<int:volume_id>/", manage_views.volume, name="volume"),
]
