"""The archive's page and its download: coordinators only (403 to co-pilots and signatories,
404 to another territory), never cached (the archive holds personal data)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from cls_platform.access import TerritoryMixin
from cls_platform.audit import AuditEvent, audit_event
from cls_platform.models import Territory

from .building import archive_build
from .tables import TABLES, left_out


@method_decorator(never_cache, name="dispatch")
class ArchiveMixin(TerritoryMixin):
    coordinator_only = True


class ArchiveView(ArchiveMixin, TemplateView):
    """What the archive holds, and the button that downloads it."""

    template_name = "evaluation/archive/archive.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(tables=TABLES, left_out=left_out(), **kwargs)


class ArchiveDownloadView(ArchiveMixin, View):
    """The ZIP, built in a temporary file that is deleted once sent."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Closed (and so deleted) by the response once sent: not a `with` block.
        out = tempfile.TemporaryFile(prefix="trame-archive-", suffix=".zip")  # noqa: SIM115
        try:
            summary = archive_build(
                access=self.access, out=out, made_by=request.user.get_full_name()
            )
        except BaseException:
            out.close()
            raise
        out.seek(0)
        audit_event(
            AuditEvent.EXPORT,
            model=Territory,
            territory=self.territory,
            format="zip",
            rows=sum(table.rows for table in summary.tables),
            documents=summary.documents,
        )
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"trame-{self.territory.slug}-{stamp}.zip",
            content_type="application/zip",
        )
