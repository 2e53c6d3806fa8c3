"""Admin pieces the content apps share."""

from django.contrib import admin
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
        if self.value() and self.value().isdigit():
            return queryset.filter(**{f"{self.date_field}__year": int(self.value())})
        return queryset


def year_filter(date_field, title="year"):
    return type(
        f"{date_field.title().replace('_', '')}YearFilter",
        (YearListFilter,),
        {"date_field": date_field, "title": title, "parameter_name": f"{date_field}_year"},
    )
