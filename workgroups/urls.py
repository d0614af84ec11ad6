from __future__ import annotations

from django.urls import path

from . import views

app_name = "workgroups"

urlpatterns = [
    path("groupes/", views.GroupListView.as_view(), name="group_list"),
    path("groupes/nouveau/", views.GroupCreateView.as_view(), name="group_create"),
    path("groupes/<int:pk>/", views.GroupDetailView.as_view(), name="group_detail"),
    path("groupes/<int:pk>/modifier/", views.GroupUpdateView.as_view(), name="group_update"),
    path("groupes/<int:pk>/membres/", views.GroupMembershipView.as_view(), name="group_membership"),
    path(
        "groupes/<int:pk>/reunions/nouvelle/",
        views.MeetingCreateView.as_view(),
        name="meeting_create",
    ),
    path("reunions/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("reunions/<int:pk>/modifier/", views.MeetingUpdateView.as_view(), name="meeting_update"),
    path("reunions/<int:pk>/annuler/", views.MeetingCancelView.as_view(), name="meeting_cancel"),
    path(
        "reunions/<int:pk>/invitations/preparer/",
        views.InvitationsPrepareView.as_view(),
        name="invitations_prepare",
    ),
    path(
        "reunions/<int:pk>/invitations/ajouter/",
        views.InvitationAddView.as_view(),
        name="invitation_add",
    ),
    path(
        "reunions/<int:pk>/invitations/envoyer/",
        views.InvitationsSendView.as_view(),
        name="invitations_send",
    ),
    path("reunions/<int:pk>/presences/", views.AttendanceView.as_view(), name="attendance"),
    path(
        "reunions/<int:pk>/presences/ceux-qui-ont-dit-venir/",
        views.AttendanceSaidYesView.as_view(),
        name="attendance_said_yes",
    ),
    path(
        "reunions/<int:pk>/presences/nouvelle-personne/", views.WalkInView.as_view(), name="walk_in"
    ),
    path("reunions/<int:pk>/compte-rendu/", views.ReportEditView.as_view(), name="report_edit"),
    path(
        "reunions/<int:pk>/compte-rendu/envoyer/",
        views.ReportSendView.as_view(),
        name="report_send",
    ),
    path("reunions/<int:pk>/compte-rendu.pdf", views.ReportPdfView.as_view(), name="report_pdf"),
    path(
        "reunions/<int:pk>/documents/", views.DocumentUploadView.as_view(), name="document_upload"
    ),
    path(
        "reunions/<int:pk>/envois/relancer/", views.RetryFailedView.as_view(), name="retry_failed"
    ),
    path(
        "invitations/<int:pk>/retirer/",
        views.InvitationRemoveView.as_view(),
        name="invitation_remove",
    ),
]
