"""The editorial calendar: month and week views of reviews by planned date, and iCalendar feeds.

Mounted at ``admin/calendar/``, ahead of the admin. Every page is the admin's own (logged-in
staff, never cached); the feed is not, as calendar apps fetch it without logging in: its signed
key admits them (``planning.feeds``). The converters take only well-formed numbers and dates, so
``/admin/calendar/abc/13/`` is the resolver's 404; a well-formed impossible date (year 0, month
13, 30 February) is the view's.
"""

from django.contrib import admin
from django.urls import path, register_converter

from planning import views

app_name = "planning"


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class MonthConverter(YearConverter):
    regex = "[0-9]{2}"


class IsoDateConverter(YearConverter):
    regex = "[0-9]{4}-[0-9]{2}-[0-9]{2}"


class IdConverter:
    """A primary key of at most 18 digits, within what every database's integers hold."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(YearConverter, "calendar_year")
register_converter(MonthConverter, "calendar_month")
register_converter(IsoDateConverter, "calendar_date")
register_converter(IdConverter, "calendar_id")

staff = admin.site.admin_view

urlpatterns = [
    path("", staff(views.month_today), name="month_today"),
    path("<calendar_year:year>/<calendar_month:month>/", staff(views.month), name="month"),
    path("week/", staff(views.week_today), name="week_today"),
    path("week/<calendar_date:day>/", staff(views.week), name="week"),
    path("reviews/<calendar_id:pk>/move/", staff(views.reschedule), name="reschedule"),
    path("feed/reset/", staff(views.reset_feed), name="reset_feed"),
    # No admin_view: calendar apps fetch it without a session. The key says whose it is.
    path("feed.ics", views.feed, name="feed"),
]
