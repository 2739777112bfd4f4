"""Reports in the admin: a report with its chapters, each chapter with its blocks and a live
preview beside them. Drafts are edited freely; publishing and taking back change what the
public reads, so under four eyes they wait for a second person. A published report is not
edited: take it back first, so that nobody changes a published text alone."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import changes

from .build import ChapterDraft, build
from .forms import BlockForm
from .models import Block, Chapter, Report
from .services.reports import request_status, set_status, waiting_change

PREVIEW_TEMPLATE = "reports/preview.html"


class ChapterInline(admin.TabularInline):
    model = Chapter
    fields = ["position", "heading", "edit"]
    readonly_fields = ["edit"]
    extra = 0
    show_change_link = True

    @admin.display(description=gettext_lazy("Text und Bausteine"))
    def edit(self, chapter):
        if chapter.pk is None:
            return _("nach dem Speichern")
        url = reverse("admin:reports_chapter_change", args=[chapter.pk])
        return format_html('<a href="{}">{}</a>', url, _("bearbeiten, mit Vorschau"))


def _editable(report: Report | None) -> bool:
    return report is None or report.status == Report.Status.DRAFT


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "bezirk", "status", "release", "published_at"]
    list_filter = ["status", "bezirk"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "published_at", "published_by"]
    fields = [
        "title",
        "title_en",
        "slug",
        "author",
        "bezirk",
        "release",
        "is_demo",
        "status",
        "published_at",
        "published_by",
    ]
    inlines = [ChapterInline]
    change_form_template = "admin/reports/report/change_form.html"

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _editable(obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        own = [
            path(
                "<int:pk>/vorschau/",
                self.admin_site.admin_view(self.preview_view),
                name="reports_report_preview",
            ),
            path(
                "<int:pk>/status/",
                self.admin_site.admin_view(self.status_view),
                name="reports_report_status",
            ),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = Report.objects.filter(pk=object_id).first()
        context = {**(extra_context or {})}
        if report is not None:
            context |= {
                "report_obj": report,
                "waiting": waiting_change(report),
                "can_publish": request.user.has_perm("reports.publish_report"),
            }
        return super().change_view(request, object_id, form_url, context)

    def preview_view(self, request, pk: int):
        report = get_object_or_404(Report, pk=pk)
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        document = build(report, language="de", site=request.build_absolute_uri("/").rstrip("/"))
        return HttpResponse(
            render_to_string(
                PREVIEW_TEMPLATE,
                {"document": document, "report": report, "for_print": True},
                request=request,
            )
        )

    def status_view(self, request, pk: int):
        if request.method != "POST":
            return redirect("admin:reports_report_change", pk)
        report = get_object_or_404(Report, pk=pk)
        status = request.POST.get("status")
        if status not in Report.Status.values:
            messages.error(request, _("Unbekannter Status."))
            return redirect("admin:reports_report_change", pk)
        try:
            if changes.enabled():
                request_status(report=report, status=status, user=request.user)
                messages.success(
                    request,
                    _("Zur Freigabe vorgelegt: Eine zweite Person muss die Änderung freigeben."),
                )
            else:
                set_status(report=report, status=status, user=request.user)
                messages.success(request, _("Der Status des Berichts ist geändert."))
        except PermissionDenied as error:
            messages.error(request, str(error) or _("Keine Berechtigung."))
        except (ValidationError, ValueError) as error:
            messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
        return redirect("admin:reports_report_change", pk)


class BlockInline(admin.StackedInline):
    model = Block
    form = BlockForm
    extra = 0
    fieldsets = [
        (None, {"fields": [("position", "kind")]}),
        (
            gettext_lazy("Was der Baustein zeigt"),
            {
                "fields": [
                    ("indicator", "y"),
                    "indicators",
                    ("level", "year", "since"),
                    ("method", "classes", "chart"),
                    "areas",
                    ("finding", "theme", "top"),
                    ("facility_types", "distance"),
                ]
            },
        ),
    ]


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["heading", "report", "position"]
    list_filter = ["report"]
    fields = ["report", "position", "heading", "heading_en", "text", "text_en"]
    inlines = [BlockInline]
    change_form_template = "admin/reports/chapter/change_form.html"

    def has_change_permission(self, request, obj=None):
        report = obj.report if obj is not None else None
        return super().has_change_permission(request, obj) and _editable(report)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A chapter is added to or moved into a draft only: a published report is not edited.
        if db_field.name == "report":
            kwargs["queryset"] = Report.objects.filter(status=Report.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        report = obj.report if obj is not None else None
        return super().has_delete_permission(request, obj) and _editable(report)

    def get_urls(self):
        own = [
            path(
                "<int:pk>/vorschau/",
                self.admin_site.admin_view(self.preview_view),
                name="reports_chapter_preview",
            )
        ]
        return own + super().get_urls()

    def preview_view(self, request, pk: int):
        """The chapter as the form holds it now, saved or not: the editor's live preview."""
        chapter = get_object_or_404(Chapter.objects.select_related("report"), pk=pk)
        if not self.has_view_permission(request, chapter):
            raise PermissionDenied
        draft = self._draft(request, chapter)
        if isinstance(draft, HttpResponse):
            return draft
        document = build(
            chapter.report,
            language="de",
            chapters=[draft],
            site=request.build_absolute_uri("/").rstrip("/"),
        )
        return HttpResponse(
            render_to_string(
                "reports/chapter_preview.html",
                {"chapter": document.chapters[0]},
                request=request,
            )
        )

    def _draft(self, request, chapter: Chapter) -> ChapterDraft | HttpResponse:
        if request.method != "POST":
            return ChapterDraft(
                chapter.heading,
                chapter.heading_en,
                chapter.text,
                chapter.text_en,
                [(b.kind, b.settings) for b in chapter.blocks.all()],
            )
        inline = BlockInline(Chapter, self.admin_site)
        FormSet = inline.get_formset(request, chapter)
        formset = FormSet(request.POST, instance=chapter, prefix="blocks")
        if not formset.is_valid():
            errors = [
                f"{_('Baustein')} {n}: {'; '.join(f'{k}: {v[0]}' for k, v in form.errors.items())}"
                for n, form in enumerate(formset.forms, 1)
                if form.errors
            ]
            return HttpResponse(
                render_to_string("reports/preview_errors.html", {"errors": errors}),
                status=200,
            )
        kept = [
            form
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda form: form.cleaned_data.get("position") or 0)
        return ChapterDraft(
            request.POST.get("heading", ""),
            request.POST.get("heading_en", ""),
            request.POST.get("text", ""),
            request.POST.get("text_en", ""),
            [(form.cleaned_data["kind"], form.instance.settings) for form in kept],
        )
