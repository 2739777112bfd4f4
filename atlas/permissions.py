"""The groups the atlas knows, with exactly the permissions each needs."""

from django.contrib.auth.models import Group, Permission

STATISTICIANS = "Statistik"

# Statisticians maintain the catalogue and releases and look after geography; observations
# change only through imports (each belonging to a release), and nothing is ever deleted.
STATISTICIAN_PERMISSIONS = [
    ("districts", "view_level"),
    ("districts", "view_district"),
    ("districts", "change_district"),
    ("districts", "view_overlap"),
    ("indicators", "view_theme"),
    ("indicators", "add_theme"),
    ("indicators", "change_theme"),
    ("indicators", "view_indicator"),
    ("indicators", "add_indicator"),
    ("indicators", "change_indicator"),
    ("indicators", "view_identity"),
    ("indicators", "add_identity"),
    ("indicators", "change_identity"),
    ("indicators", "view_release"),
    ("indicators", "add_release"),
    ("indicators", "change_release"),
    ("indicators", "publish_release"),
    ("indicators", "import_all_themes"),
    ("indicators", "view_observation"),
    ("indicators", "view_themeaccess"),
    ("indicators", "add_themeaccess"),
    ("indicators", "change_themeaccess"),
    ("indicators", "view_columnmapping"),
    ("indicators", "add_columnmapping"),
    ("indicators", "change_columnmapping"),
    ("facilities", "view_facilitytype"),
    ("facilities", "add_facilitytype"),
    ("facilities", "change_facilitytype"),
    ("facilities", "view_facility"),
    ("facilities", "add_facility"),
    ("facilities", "change_facility"),
    ("facilities", "view_facilityupload"),
    ("facilities", "add_facilityupload"),
    # Four eyes (ATLAS_FOUR_EYES): a statistician decides on changes another one submitted.
    ("core", "view_pendingchange"),
    ("core", "approve_pendingchange"),
]

REPORT_PERMISSIONS = [
    ("reports", "view_report"),
    ("reports", "add_report"),
    ("reports", "change_report"),
    ("reports", "publish_report"),
    ("reports", "view_chapter"),
    ("reports", "add_chapter"),
    ("reports", "change_chapter"),
    ("reports", "delete_chapter"),
    ("reports", "view_block"),
    ("reports", "add_block"),
    ("reports", "change_block"),
    ("reports", "delete_block"),
]
# Statisticians delete nothing, not even a chapter of a draft report; planners, who write the
# reports, may remove chapters and blocks of a draft.
STATISTICIAN_PERMISSIONS += [p for p in REPORT_PERMISSIONS if not p[1].startswith("delete_")]

# Projection runs: started and published by statisticians and planners (publishing, under four
# eyes, by a second person); whoever may start a run also uploads the register and the housing
# pipeline it starts from (projections/upload.py).
PROJECTION_PERMISSIONS = [
    ("projections", "view_projectionrun"),
    ("projections", "add_projectionrun"),
    ("projections", "publish_projectionrun"),
]
STATISTICIAN_PERMISSIONS += PROJECTION_PERMISSIONS

PLANNERS = "Sozialplanung"

# Social planners write reports from the published data and see what they are written from;
# publishing a report waits for a second planner or statistician under four eyes.
PLANNER_PERMISSIONS = [
    ("districts", "view_level"),
    ("districts", "view_district"),
    ("indicators", "view_theme"),
    ("indicators", "view_indicator"),
    ("indicators", "view_release"),
    ("facilities", "view_facilitytype"),
    ("facilities", "view_facility"),
    *REPORT_PERMISSIONS,
    *PROJECTION_PERMISSIONS,
    ("core", "view_pendingchange"),
    ("core", "approve_pendingchange"),
]

DEPARTMENTS = "Fachbereich"

# Departments upload drafts for the themes released to their group (ThemeAccess); a
# statistician checks and publishes them. Observations, releases and column mappings they see
# only of those themes (indicators.admin), and they keep mappings only for them.
DEPARTMENT_PERMISSIONS = [
    ("districts", "view_level"),
    ("districts", "view_district"),
    ("indicators", "view_theme"),
    ("indicators", "view_indicator"),
    ("indicators", "view_release"),
    ("indicators", "add_release"),
    ("indicators", "view_observation"),
    ("indicators", "view_columnmapping"),
    ("indicators", "add_columnmapping"),
    ("indicators", "change_columnmapping"),
]


def sync_groups(**kwargs) -> None:
    """Create or correct the groups; run after every migrate."""
    for name, permissions in (
        (STATISTICIANS, STATISTICIAN_PERMISSIONS),
        (DEPARTMENTS, DEPARTMENT_PERMISSIONS),
        (PLANNERS, PLANNER_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in permissions
            ]
        )
