from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import FourEyesMixin, SourceFileMixin
from core.changes import enabled as four_eyes_enabled
from core.datastate import current_data_state

from . import release_pages
from .export import export_view
from .models import (
    ColumnMapping,
    Identity,
    Indicator,
    Observation,
    Release,
    Theme,
    ThemeAccess,
    allowed_theme_ids,
)
from .selectors import plausibility_warnings
from .services.import_values import mapped_indicators, mapping_errors
from .upload import upload_view


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["slug", "name_de", "kind", "unit_de", "order"]
    extra = 0
    show_change_link = True

    # Under four eyes an indicator changes on its own page, where the edit waits for approval.
    def has_add_permission(self, request, obj=None):
        return not four_eyes_enabled() and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not four_eyes_enabled() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not four_eyes_enabled() and super().has_delete_permission(request, obj)


@admin.register(Theme)
class ThemeAdmin(FourEyesMixin, admin.ModelAdmin):
    list_display = ["name_de", "name_en", "slug", "order"]
    inlines = [IndicatorInline]


@admin.register(Identity)
class IdentityAdmin(FourEyesMixin, admin.ModelAdmin):
    """Identities between indicators: disclosure control withholds their cells together."""

    list_display = ["__str__", "note"]
    search_fields = ["indicator__slug", "terms", "note"]
    autocomplete_fields = ["indicator"]
    fields = ["indicator", "part", "terms", "terms_year", "note"]


@admin.register(Indicator)
class IndicatorAdmin(FourEyesMixin, admin.ModelAdmin):
    list_display = ["name_de", "slug", "theme", "kind", "unit_de", "is_demo"]
    list_filter = ["theme", "kind", "polarity", "is_demo"]
    search_fields = ["slug", "name_de", "name_en", "definition_de", "keywords_de"]
    fieldsets = [
        (None, {"fields": ["slug", "theme", "order", "is_demo"]}),
        (
            "Namen und Definition",
            {
                "fields": [
                    ("name_de", "name_en"),
                    ("short_name_de", "short_name_en"),
                    "definition_de",
                    "definition_en",
                    ("unit_de", "unit_en"),
                ]
            },
        ),
        ("Suche", {"fields": ["keywords_de", "keywords_en"]}),
        (
            "Berechnung",
            {
                "fields": [
                    ("kind", "is_proportion"),
                    ("numerator_de", "numerator_en"),
                    ("denominator_de", "denominator_en"),
                    ("factor", "decimals"),
                    "polarity",
                    "disclosure_threshold",
                    ("computation", "facility_type"),
                ]
            },
        ),
        (
            "Darstellung",
            {
                "fields": [
                    "classification_method",
                    "classification_classes",
                    "classification_breaks",
                    "palette",
                ]
            },
        ),
        ("Alter und Geschlecht", {"fields": [("sex", "age_group", "age_from")]}),
        ("Herkunft", {"fields": ["source", "source_en", "licence", "notes_de", "notes_en"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A line or two of words, not a page of text.
        if db_field.name in {"keywords_de", "keywords_en"}:
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def _number(value: float) -> str:
    """A stored value in German format, without a trailing ",0" for whole numbers."""
    return formats.localize(int(value) if value.is_integer() else value, use_l10n=True)


def cached_plausibility_warnings() -> list:
    """Plausibility warnings, kept in the shared cache per data state (core/datastate.py)."""
    key = f"plausibility:{current_data_state().key}"
    return cache.get_or_set(key, plausibility_warnings, timeout=24 * 3600)


def warnings_for(user) -> list:
    """Where a city's own value disagrees with its districts: for statisticians every theme,
    for a department only its own."""
    allowed = allowed_theme_ids(user)
    indicators = Indicator.objects.all()
    if allowed is not None:
        indicators = indicators.filter(theme_id__in=allowed)
    slugs = set(indicators.values_list("slug", flat=True))
    return [warning for warning in cached_plausibility_warnings() if warning.indicator in slugs]


def visible_releases(queryset, user):
    """The releases a user may see: all for statisticians; for a department, those whose
    values all lie in its themes (and its own uploads, even empty ones).

    A release mixing themes stays hidden from a department as a whole rather than shown with
    its own rows only: its title, note, source file and export carry the other themes' values
    too. The department still sees its own theme's rows of it among the observations.
    """
    allowed = allowed_theme_ids(user)
    if allowed is None:
        return queryset
    values = Observation.objects.filter(release=OuterRef("pk"))
    outside = values.exclude(indicator__theme_id__in=allowed)
    return queryset.filter(~Exists(outside) & (Exists(values) | Q(created_by=user)))


class VisibleReleaseFilter(admin.RelatedFieldListFilter):
    """The release filter lists only the releases the user may see (titles tell too)."""

    def field_choices(self, field, request, model_admin):
        releases = visible_releases(Release.objects.all(), request.user)
        return [(release.pk, str(release)) for release in releases]


class ThemeScopedFilter(admin.RelatedFieldListFilter):
    """An indicator or theme filter listing only the user's themes."""

    def field_choices(self, field, request, model_admin):
        allowed = allowed_theme_ids(request.user)
        model = field.related_model
        objects = model.objects.all()
        if allowed is not None:
            objects = objects.filter(
                **({"pk__in": allowed} if model is Theme else {"theme_id__in": allowed})
            )
        return [(obj.pk, str(obj)) for obj in objects]


@admin.register(Release)
class ReleaseAdmin(SourceFileMixin, FourEyesMixin, admin.ModelAdmin):
    def changelist_view(self, request, extra_context=None):
        for warning in warnings_for(request.user) if request.method == "GET" else []:
            messages.warning(request, _("Plausibilität: %(warning)s") % {"warning": warning})
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return visible_releases(super().get_queryset(request), request.user)

    list_display = ["title", "status", "created_at", "published_at", "source_filename"]

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return [*shown, "next_step"] if self.has_publish_permission(request) else shown

    list_filter = ["status"]
    search_fields = ["title", "source_filename", "sha256"]
    # The status changes only through the actions, which check the publish permission.
    readonly_fields = [
        "status", "sha256", "source_file", "source_filename", "created_at", "created_by",
        "published_at", "published_by", "withdrawn_at",
    ]  # fmt: skip
    # Publishing and withdrawing go through the release's own pages, which say first what
    # changes (release_pages.py), not through actions on a selection.
    actions = ["export"]

    @admin.display(description=gettext_lazy("Nächster Schritt"))
    def next_step(self, obj):
        if obj.status == Release.Status.DRAFT:
            url, label = "admin:indicators_release_publish", _("Veröffentlichen …")
        elif obj.status == Release.Status.PUBLISHED:
            url, label = "admin:indicators_release_withdraw", _("Zurückziehen …")
        else:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse(url, args=[obj.pk]), label)

    @admin.action(
        description=gettext_lazy("Werte exportieren (Upload-Format) …"), permissions=["publish"]
    )
    def export(self, request, queryset):
        # The export page, with the release chosen; it offers the formats and filters.
        if queryset.count() != 1:
            messages.error(request, _("Bitte genau einen Datenstand zum Export auswählen."))
            return None
        return redirect(f"{reverse('admin:indicators_release_export')}?release={queryset.get().pk}")

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(partial(upload_view, self)),
            name="indicators_release_upload",
        )
        guide = path(
            "anleitung/",
            self.admin_site.admin_view(self.guide_view),
            name="indicators_release_guide",
        )
        export = path(
            "export/",
            self.admin_site.admin_view(partial(export_view, self)),
            name="indicators_release_export",
        )
        pages = [
            path(
                f"<int:pk>/{name}/",
                self.admin_site.admin_view(partial(view, self)),
                name=f"indicators_release_{url_name}",
            )
            for name, view, url_name in (
                ("veroeffentlichen", release_pages.publish_view, "publish"),
                ("zurueckziehen", release_pages.withdraw_view, "withdraw"),
                ("ergebnis", release_pages.done_view, "done"),
            )
        ]
        return [upload, guide, export, *pages, *super().get_urls()]

    def guide_view(self, request):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": _("Anleitung: Werte hochladen und veröffentlichen")}  # fmt: skip
        return TemplateResponse(request, "admin/indicators/release/guide.html", context)

    def has_add_permission(self, request):
        # Releases come from an upload; the upload page checks the add permission itself.
        return False

    def has_publish_permission(self, request):
        # Exports hold every raw value, withheld ones included: statisticians only.
        return request.user.has_perm("indicators.publish_release")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["indicator", "district", "jahr", "value", "numerator", "denominator", "status"]
    list_filter = [
        ("indicator", ThemeScopedFilter), ("indicator__theme", ThemeScopedFilter), "year",
        "district", "district__level", "status", ("release", VisibleReleaseFilter),
    ]  # fmt: skip
    search_fields = ["indicator__slug", "indicator__name_de", "district__name", "district__code"]
    list_select_related = ["indicator", "district", "release"]
    list_per_page = 50
    readonly_fields = ["jahr", "history"]
    fields = [
        "release", "indicator", "district", "jahr", "reference_date", "value", "numerator",
        "denominator", "status", "note", "history",
    ]  # fmt: skip

    def get_queryset(self, request):
        # A department sees the values of its themes only, drafts of other themes included.
        observations = super().get_queryset(request)
        allowed = allowed_theme_ids(request.user)
        if allowed is None:
            return observations
        return observations.filter(indicator__theme_id__in=allowed)

    @admin.display(description=gettext_lazy("Jahr"), ordering="year")
    def jahr(self, obj):
        # A year is no quantity: no thousands separator.
        return str(obj.year)

    @admin.display(description=gettext_lazy("Verlauf"))
    def history(self, obj):
        """Every version of this value: which release, who, when, which file, what value."""
        versions = (
            Observation.objects.filter(
                indicator=obj.indicator, district=obj.district, year=obj.year
            )
            .select_related("release__created_by", "release__published_by")
            .order_by("release__created_at")
        )
        return format_html_join(
            "",
            "<p>{} – {} ({}): {} {} · {} {} · SHA-256 {}</p>",
            (
                (
                    v.release.title,
                    v.release.get_status_display(),
                    v.release.created_at.strftime("%d.%m.%Y %H:%M"),
                    "–" if v.value is None else _number(v.value),
                    v.status,
                    _("hochgeladen von"),
                    v.release.created_by or "–",
                    v.release.sha256[:12] or "–",
                )
                for v in versions
            ),
        )

    # Values change only through an import, so that every change belongs to a release and can
    # be withdrawn; the admin shows them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ThemeAccess)
class ThemeAccessAdmin(FourEyesMixin, admin.ModelAdmin):
    list_display = ["group", "theme"]
    list_filter = ["group", "theme"]


class ColumnMappingForm(forms.ModelForm):
    """A mapping is checked before it is kept: its shape, and that every indicator it names
    exists and belongs to its theme and to the themes of whoever saves it."""

    allowed_themes: set[int] | None = None  # set per request by ColumnMappingAdmin.get_form

    class Meta:
        model = ColumnMapping
        fields = ["source", "theme", "mapping"]

    def clean(self):
        cleaned = super().clean()
        theme, mapping = cleaned.get("theme"), cleaned.get("mapping")
        allowed = self.allowed_themes
        if allowed is not None and (theme is None or theme.pk not in allowed):
            self.add_error("theme", _("Nur Zuordnungen der eigenen Themenfelder sind erlaubt."))
        if "mapping" not in cleaned:
            return cleaned  # not JSON at all: the field has said so
        slugs = set(Indicator.objects.values_list("slug", flat=True))
        name = cleaned.get("source") or ""
        errors = mapping_errors(mapping, name=name, indicators=slugs)
        if errors:
            self.add_error("mapping", [f"{e.value}: {e.message}" if e.value else e.message
                                       for e in errors])  # fmt: skip
            return cleaned
        for indicator in Indicator.objects.filter(slug__in=mapped_indicators(mapping)):
            if (theme is not None and indicator.theme_id != theme.pk) or (
                allowed is not None and indicator.theme_id not in allowed
            ):
                self.add_error(
                    "mapping",
                    _("Indikator „%(slug)s“ gehört nicht zum Themenfeld dieser Zuordnung.")
                    % {"slug": indicator.slug},
                )
        return cleaned


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """Mappings per source and theme; a department reads and changes those of its themes."""

    form = ColumnMappingForm
    list_display = ["source", "theme", "updated_at", "updated_by"]
    list_filter = [("theme", ThemeScopedFilter)]
    search_fields = ["source"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_queryset(self, request):
        mappings = super().get_queryset(request).select_related("theme", "updated_by")
        allowed = allowed_theme_ids(request.user)
        return mappings if allowed is None else mappings.filter(theme_id__in=allowed)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"allowed_themes": allowed_theme_ids(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        allowed = allowed_theme_ids(request.user)
        if db_field.name == "theme" and allowed is not None:
            kwargs["queryset"] = Theme.objects.filter(pk__in=allowed)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = allowed_theme_ids(request.user)
        in_scope = obj is None or allowed is None or obj.theme_id in allowed
        return in_scope and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
