"""English dates the way both sides of the Atlantic read them alike: "5 Dec 2026", never
"12/05/2026" (Django's default for "en", which a German reader takes for the 12 May)."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
