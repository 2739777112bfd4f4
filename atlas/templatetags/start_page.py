"""The admin's start page: what a statistician does in a year and what is waiting now (drafts
to publish, changes to approve, the last publication, the plausibility of the current state).
A template tag, so the admin index (templates/admin/index.html) asks for it as it renders."""

from django import template
from django.urls import reverse

from core.models import PendingChange
from indicators.admin import visible_releases, warnings_for
from indicators.export import quick_export_url
from indicators.models import Release, allowed_theme_ids

LISTED = 10  # drafts and warnings shown on the page; the rest are counted

register = template.Library()


@register.simple_tag(takes_context=True)
def start_page(context) -> dict:
    """The start page's parts the user may see; {} for someone who neither uploads nor
    publishes."""
    user = context["request"].user
    may_upload = user.has_perm("indicators.add_release")
    may_publish = user.has_perm("indicators.publish_release")
    if not (may_upload or may_publish):
        return {}
    tasks = []
    if may_upload:
        tasks.append(("upload", reverse("admin:indicators_release_upload")))
    if user.has_perm("districts.change_district"):
        tasks.append(("boundaries", reverse("admin:districts_district_upload")))
    releases = visible_releases(Release.objects.all(), user).select_related(
        "created_by", "published_by"
    )
    drafts = releases.filter(status=Release.Status.DRAFT).order_by("-created_at")
    warnings = warnings_for(user)
    pending = PendingChange.objects.filter(status=PendingChange.Status.PENDING)
    # A correction from here: the public values of the newest year in one click (exports
    # hold withheld values: publishers only), the corrected file checked from the same page.
    quick_export = quick_export_url(allowed_theme_ids(user)) if may_publish else None
    return {
        "tasks": tasks,
        "may_upload": may_upload,
        "may_publish": may_publish,
        "quick_export": quick_export,
        "drafts": list(drafts[:LISTED]),
        "draft_count": drafts.count(),
        "last_published": releases.filter(status=Release.Status.PUBLISHED)
        .order_by("-published_at")
        .first(),
        "warnings": warnings[:LISTED],
        "warning_count": len(warnings),
        "pending_count": pending.count() if user.has_perm("core.view_pendingchange") else 0,
    }
