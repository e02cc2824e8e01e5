"""Pages of the payments: channels and the maker-checker postings (under /loans/, namespace ``loans``)."""

from django.urls import path

from loancrm.loans import payments_views as views
from loancrm.loans.choices import PostingKind

urlpatterns: list = [
    path("channels/", views.channel_list, name="channels"),
    path("channels/<int:pk>/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/rotate/", views.channel_rotate, name="channel_rotate"),
    path("postings/", views.posting_queue, name="postings"),
    path("postings/<int:pk>/", views.posting_detail, name="posting_detail"),
    path("postings/<int:pk>/approve/", views.posting_approve, name="posting_approve"),
    path("postings/<int:pk>/reject/", views.posting_reject, name="posting_reject"),
    *[
        path(f"<int:pk>/postings/new/{kind}/", views.posting_new, {"kind": kind}, name=f"posting_new_{kind}")
        for kind in PostingKind.values
    ],
]
