"""Changelist filters the content admins share."""

import datetime

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models.functions import ExtractYear


class YearListFilter(admin.SimpleListFilter):
    """Filter a changelist by the year of a date field; subclasses name the field."""

    title = "year"
    parameter_name = "year"
    date_field = None

    def lookups(self, request, model_admin):
        years = (
            model_admin.model.objects.exclude(**{f"{self.date_field}__isnull": True})
            .annotate(_year=ExtractYear(self.date_field))
            .values_list("_year", flat=True)
            .distinct()
            .order_by("-_year")
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        year = self.value()
        if not (year.isascii() and year.isdigit() and 1 <= int(year) <= datetime.MAXYEAR):
            # As Django's own filters do: the changelist says the filter is wrong (?e=1).
            raise IncorrectLookupParameters(f"{year!r} is not a year.")
        return queryset.filter(**{f"{self.date_field}__year": int(year)})


def year_filter(date_field, title="year"):
    return type(
        f"{date_field.title().replace('_', '')}YearFilter",
        (YearListFilter,),
        {"date_field": date_field, "title": title, "parameter_name": f"{date_field}_year"},
    )
