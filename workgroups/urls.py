from __future__ import annotations

from django.urls import path

from .views import groups, invitations, meetings, reports

app_name = "workgroups"

urlpatterns = [
    path("groupes/", groups.GroupListView.as_view(), name="group_list"),
    path("groupes/nouveau/", groups.GroupCreateView.as_view(), name="group_create"),
    path("groupes/<int:pk>/", groups.GroupDetailView.as_view(), name="group_detail"),
    path("groupes/<int:pk>/modifier/", groups.GroupUpdateView.as_view(), name="group_update"),
    path(
        "groupes/<int:pk>/membres/", groups.GroupMembershipView.as_view(), name="group_membership"
    ),
    path(
        "groupes/<int:pk>/reunions/nouvelle/",
        meetings.MeetingCreateView.as_view(),
        name="meeting_create",
    ),
    path("reunions/<int:pk>/", meetings.MeetingDetailView.as_view(), name="meeting_detail"),
    path(
        "reunions/<int:pk>/modifier/", meetings.MeetingUpdateView.as_view(), name="meeting_update"
    ),
    path("reunions/<int:pk>/annuler/", meetings.MeetingCancelView.as_view(), name="meeting_cancel"),
    path(
        "reunions/<int:pk>/invitations/preparer/",
        invitations.InvitationsPrepareView.as_view(),
        name="invitations_prepare",
    ),
    path(
        "reunions/<int:pk>/invitations/ajouter/",
        invitations.InvitationAddView.as_view(),
        name="invitation_add",
    ),
    path(
        "reunions/<int:pk>/invitations/envoyer/",
        invitations.InvitationsSendView.as_view(),
        name="invitations_send",
    ),
    path("reunions/<int:pk>/presences/", invitations.AttendanceView.as_view(), name="attendance"),
    path(
        "reunions/<int:pk>/presences/ceux-qui-ont-dit-venir/",
        invitations.AttendanceSaidYesView.as_view(),
        name="attendance_said_yes",
    ),
    path(
        "reunions/<int:pk>/presences/nouvelle-personne/",
        invitations.WalkInView.as_view(),
        name="walk_in",
    ),
    path("reunions/<int:pk>/compte-rendu/", reports.ReportEditView.as_view(), name="report_edit"),
    path(
        "reunions/<int:pk>/compte-rendu/envoyer/",
        reports.ReportSendView.as_view(),
        name="report_send",
    ),
    path("reunions/<int:pk>/compte-rendu.pdf", reports.ReportPdfView.as_view(), name="report_pdf"),
    path(
        "reunions/<int:pk>/documents/", reports.DocumentUploadView.as_view(), name="document_upload"
    ),
    path(
        "reunions/<int:pk>/envois/relancer/",
        invitations.RetryFailedView.as_view(),
        name="retry_failed",
    ),
    path(
        "invitations/<int:pk>/retirer/",
        invitations.InvitationRemoveView.as_view(),
        name="invitation_remove",
    ),
]
