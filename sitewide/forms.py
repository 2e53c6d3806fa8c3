from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.urls import reverse_lazy

MAX_QUERY_LENGTH = 200


class SearchForm(forms.Form):
    KINDS = [
        ("", "Everything"),
        ("reviews", "Reviews"),
        ("films", "Films"),
        ("people", "People"),
        ("albums", "Albums"),
        ("tracks", "Tracks"),
        ("cues", "Cues"),
    ]

    q = forms.CharField(
        label="Search for",
        required=False,
        widget=forms.SearchInput(attrs={"maxlength": MAX_QUERY_LENGTH, "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label="In", choices=KINDS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = reverse_lazy("sitewide:search")
        self.helper.disable_csrf = True
        self.helper.form_class = "search-form"
        # A nameless button keeps its label out of the query string.
        self.helper.layout = Layout(
            Field("q"),
            Field("kind"),
            StrictButton("Search", type="submit", css_class="btn-primary"),
        )

    def clean_q(self):
        """Whitespace collapsed and cut to 200 characters: a long paste is searched, not refused."""
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_LENGTH]
