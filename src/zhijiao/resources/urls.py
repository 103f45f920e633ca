"""Resource centre pages (/resources/)."""

from django.urls import path

from zhijiao.resources import discovery_views, views

app_name = "resources"

urlpatterns = [
    path("<int:resource_id>/", views.detail, name="detail"),
    path("<int:resource_id>/files/<int:file_id>/", views.file, name="file"),
    path("<int:resource_id>/rate/", views.rate, name="rate"),
    path("<int:resource_id>/favourite/", views.favourite, name="favourite"),
    path("<int:resource_id>/complain/", views.complain, name="complain"),
    path("<int:resource_id>/edit/", views.edit, name="edit"),
    path("<int:resource_id>/upload/", views.upload, name="upload"),
    path("<int:resource_id>/files/<int:file_id>/remove/", views.remove_file, name="remove-file"),
    path("<int:resource_id>/submit/", views.submit, name="submit"),
    path("<int:resource_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:resource_id>/history/", views.history, name="history"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("agreement/", views.agreement, name="agreement"),
    path("favourites/", views.favourites, name="favourites"),
    path("my-complaints/", views.my_complaints, name="my-complaints"),
]

# Discovery: the resource centre's home, search, browse, lesson, board and column pages.
urlpatterns += [
    path("", discovery_views.index, name="index"),
    path("search/", discovery_views.search_page, name="search"),
    path("browse/", discovery_views.browse, name="browse"),
    path("lessons/<int:lesson_id>/", discovery_views.lesson, name="lesson"),
    path("boards/<slug:code>/", discovery_views.board, name="board"),
    path("boards/<slug:code>/<int:column_id>/", discovery_views.board, name="column"),
]
