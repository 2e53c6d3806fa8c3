"""The editorial calendar: month and week views of reviews by planned date, and iCalendar feeds."""

app_name = "planning"

urlpatterns = []
