"""The calendar's forms: moving a review's planned date, and choosing whose reviews to show."""

import datetime

from django import forms

from editorial.locking import LockVersionField
from reviews.models import Author

#: Longer than any date typed by hand; anything longer is refused before it is parsed.
LONGEST_DATE = 40


class PlannedDateField(forms.DateField):
    widget = forms.DateInput(
        # A date input sends and shows YYYY-MM-DD whatever the browser's language.
        format="%Y-%m-%d",
        attrs={
            "type": "date",
            "min": datetime.date.min.isoformat(),
            "max": datetime.date.max.isoformat(),
        },
    )

    def to_python(self, value):
        if isinstance(value, str) and len(value) > LONGEST_DATE:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class RescheduleForm(forms.Form):
    planned_for = PlannedDateField(
        label="Planned for",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text="Empty to take it off the calendar. The publish time stays as it is.",
        error_messages={"invalid": "Enter a date as YYYY-MM-DD, for example 2026-12-24."},
    )
    loaded_version = LockVersionField()
    #: The calendar page to go back to; checked by the view before it is followed.
    back = forms.CharField(required=False, widget=forms.HiddenInput)

    @classmethod
    def for_review(cls, review, back="", *, compact=False, **kwargs):
        """The form for ``review`` as it is now; ``compact`` for an entry on the calendar,
        where the legend above says what the help text would."""
        form = cls(
            initial={
                "planned_for": review.planned_for,
                "loaded_version": review.lock_version,
                "back": back,
            },
            **kwargs,
        )
        if compact:
            form.fields["planned_for"].help_text = ""
        return form


class AuthorFilterForm(forms.Form):
    """Whose reviews the calendar shows: any byline on the reviews the person may see.

    The choices are read once, and the value checked against them, not looked up again.
    """

    author = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Author",
        error_messages={"invalid_choice": "That is not an author of any review you can see."},
    )

    def __init__(self, *args, reviews, **kwargs):
        super().__init__(*args, **kwargs)
        authors = Author.objects.filter(reviews__in=reviews.values("pk")).distinct()
        self.authors = {author.pk: author for author in authors.order_by("name", "pk")}
        self.fields["author"].choices = [
            ("", "All authors"),
            *((pk, author.name) for pk, author in self.authors.items()),
        ]

    def chosen(self):
        """The ``Author`` chosen, or None for all (or for a choice that is not one)."""
        if not (self.is_bound and self.is_valid()):
            return None
        return self.authors.get(self.cleaned_data["author"])
