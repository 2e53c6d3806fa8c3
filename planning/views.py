"""The editorial calendar in the admin: a month and a week of reviews by planned date, the
drafts not planned yet, rescheduling through a small form, and each person's iCalendar feed.

Everyone sees what the admin lets them open (``Review.objects.visible_to``): editors every
review, writers their own. A page runs the same number of queries however many reviews it
shows (planning/tests pin it).
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from planning import calendar, feeds, services
from planning.forms import AuthorFilterForm, RescheduleForm
from reviews.models import Review
from reviews.workflow import can_edit

#: How many drafts the side list shows; the rest are counted and a link leads to them.
UNPLANNED_SHOWN = 30
UNPLANNED_STATUSES = (Review.Status.DRAFT, Review.Status.IN_REVIEW)
#: Longer than any calendar page's address; a longer one to go back to is not followed.
LONGEST_BACK = 2000


def _filtered(request):
    """The reviews ``request.user`` may see, narrowed to the author the query asks for, and the
    filter form. An author id that is not one of theirs is ignored, and the form says so."""
    reviews = Review.objects.visible_to(request.user)
    form = AuthorFilterForm(request.GET or None, reviews=reviews)
    author = form.chosen()
    if author is not None:
        reviews = reviews.filter(authors=author)
    return reviews, form, author


def _query(author):
    return f"?{urlencode({'author': author.pk})}" if author else ""


def _month_url(first, author=None):
    if first is None:
        return None
    args = [f"{first.year:04d}", f"{first.month:02d}"]
    return reverse("planning:month", args=args) + _query(author)


def _week_url(monday, author=None):
    if monday is None:
        return None
    return reverse("planning:week", args=[monday.isoformat()]) + _query(author)


def _unplanned(reviews):
    rows = reviews.filter(planned_for__isnull=True, status__in=UNPLANNED_STATUSES)
    shown = list(rows.defer("body", "body_html").order_by("-updated_at", "-pk")[:UNPLANNED_SHOWN])
    count = len(shown) if len(shown) < UNPLANNED_SHOWN else rows.count()
    return shown, count


def _with_forms(request, found):
    """Each entry (or unplanned review) with its change-form link and, where the person may
    change it, the small form that moves it."""
    back = request.get_full_path()
    for item in found:
        review = getattr(item, "review", item)
        item.change_url = reverse("admin:reviews_review_change", args=[quote(review.pk)])
        item.reschedule_url = reverse("planning:reschedule", args=[review.pk])
        item.form = (
            RescheduleForm.for_review(
                review, back=back, compact=True, auto_id=f"move-{review.pk}-%s"
            )
            if can_edit(request.user, review)
            else None
        )
    return found


def _page(request, template, title, *, dates, in_range, **context):
    """A calendar page of ``dates`` (a month's grid or a week); ``in_range(day)`` says whether a
    day is of the period named (a month's grid shows its neighbours' days, and their entries)."""
    reviews, form, author = _filtered(request)
    first, last = dates[0], dates[-1]
    found = _with_forms(request, calendar.entries(calendar.falling_between(reviews, first, last)))
    unplanned, unplanned_count = _unplanned(reviews)
    feed_url = feeds.feed_url(feeds.feed_of(request.user))
    today = timezone.localdate()
    days = calendar.days_with_entries(dates, found, in_range=in_range, today=today)
    navigation = context.pop("navigation")(author)
    context = {
        **admin.site.each_context(request),
        "title": title,
        "opts": Review._meta,
        "filter_form": form,
        "author": author,
        "days": days,
        "weeks": [
            {"days": days[i : i + 7], "url": url}
            for i, url in zip(range(0, len(days), 7), navigation.pop("week_urls", ()), strict=False)
        ],
        "entry_count": sum(1 for entry in found if in_range(entry.day)),
        "unplanned": _with_forms(request, unplanned),
        "unplanned_count": unplanned_count,
        "unplanned_url": reverse("admin:reviews_review_changelist")
        + f"?status__exact={Review.Status.DRAFT}",
        "feed_url": feed_url,
        "webcal_url": feeds.webcal_url(feed_url),
        "statuses": calendar.STATUSES,
        "today_month_url": _month_url(today.replace(day=1), author),
        "today_week_url": _week_url(calendar.monday_of(today), author),
        "back": request.get_full_path(),
        **navigation,
        **context,
    }
    response = TemplateResponse(request, template, context)
    add_never_cache_headers(response)
    return response


@require_safe
def month_today(request):
    today = timezone.localdate()
    return month(request, f"{today.year:04d}", f"{today.month:02d}")


@require_safe
def month(request, year, month):
    first = calendar.month_or_404(year, month)
    last = calendar.last_of_month(first)
    weeks = calendar.month_grid(first)
    previous, following = calendar.shift_month(first, -1), calendar.shift_month(first, 1)
    today = timezone.localdate()

    def navigation(author):
        return {
            "previous_url": _month_url(previous, author),
            "previous_label": date_format(previous, "F Y") if previous else "",
            "next_url": _month_url(following, author),
            "next_label": date_format(following, "F Y") if following else "",
            # The week of today if it is in this month, else the month's first week.
            "other_view_url": _week_url(
                calendar.monday_of(today if first <= today <= last else first), author
            ),
            "week_urls": [_week_url(week[0], author) for week in weeks],
        }

    return _page(
        request,
        "admin/planning/month.html",
        f"Editorial calendar: {date_format(first, 'F Y')}",
        dates=[day for week in weeks for day in week],
        in_range=lambda day: first <= day <= last,
        view="month",
        period=date_format(first, "F Y"),
        navigation=navigation,
    )


@require_safe
def week_today(request):
    return week(request, calendar.monday_of(timezone.localdate()).isoformat())


@require_safe
def week(request, day):
    monday = calendar.week_or_404(day)
    dates = calendar.days_from(monday, 7)
    previous, following = calendar.add_days(monday, -7), calendar.add_days(monday, 7)

    def navigation(author):
        return {
            "previous_url": _week_url(previous, author),
            "previous_label": "Previous week",
            "next_url": _week_url(following, author),
            "next_label": "Next week",
            "other_view_url": _month_url(monday.replace(day=1), author),
        }

    return _page(
        request,
        "admin/planning/week.html",
        f"Editorial calendar: week of {date_format(monday, 'j F Y')}",
        dates=dates,
        in_range=lambda day: True,
        view="week",
        period=f"{date_format(dates[0], 'j F Y')} to {date_format(dates[-1], 'j F Y')}",
        navigation=navigation,
    )


def _safe_back(request, back):
    """``back`` if it is a calendar page on this site, else None."""
    calendar_root = reverse("planning:month_today")
    if not back or len(back) > LONGEST_BACK or not back.startswith(calendar_root):
        return None
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return None
    return back


def _editable_review(request, pk):
    """The review, if ``request.user`` may see it (else 404) and change it (else 403)."""
    review = get_object_or_404(Review.objects.visible_to(request.user), pk=pk)
    if not can_edit(request.user, review):
        raise PermissionDenied("You may not change this review.")
    return review


def reschedule(request, pk):
    """Move a review's planned date: the small form on each entry posts here. A refusal (a
    stale version, a date that is no date) comes back as this page, with the form as sent."""
    review = _editable_review(request, pk)
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            planned_for = form.cleaned_data["planned_for"]
            try:
                changed = services.reschedule(
                    review,
                    planned_for,
                    loaded_version=form.cleaned_data["loaded_version"],
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                _tell(request, review, planned_for, changed)
                back = _safe_back(request, form.cleaned_data["back"])
                return HttpResponseRedirect(back or _landing(planned_for))
    elif request.method == "GET":
        form = RescheduleForm.for_review(review, back=_safe_back(request, request.GET.get("back")))
    else:
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return _reschedule_page(request, review, form)


def _landing(planned_for):
    if planned_for is None:
        return reverse("planning:month_today")
    return _month_url(planned_for.replace(day=1))


def _tell(request, review, planned_for, changed):
    if not changed:
        messages.info(
            request, f"“{review}” was already planned for {services.describe(planned_for)}."
        )
        return
    if planned_for is None:
        messages.success(request, f"“{review}” is off the calendar: it is not planned any more.")
        return
    text = format_html(
        '“{}” is now planned for {} (<a href="{}">see {}</a>).',
        review,
        services.describe(planned_for),
        _week_url(calendar.monday_of(planned_for)),
        "its week",
    )
    if review.is_scheduled:
        moment = timezone.localtime(review.publish_at)
        text = format_html(
            "{} Its publish time is unchanged: it still goes live at {}.",
            text,
            date_format(moment, "DATETIME_FORMAT"),
        )
    messages.success(request, text)


def _reschedule_page(request, review, form):
    back = _safe_back(request, form["back"].value()) or reverse("planning:month_today")
    context = {
        **admin.site.each_context(request),
        "title": f"Move “{review}” on the calendar",
        "opts": Review._meta,
        "review": review,
        "status_key": calendar.status_of(review),
        "status_label": calendar.STATUSES[calendar.status_of(review)],
        "form": form,
        "back_url": back,
        "change_url": reverse("admin:reviews_review_change", args=[quote(review.pk)]),
    }
    response = TemplateResponse(request, "admin/planning/reschedule.html", context)
    add_never_cache_headers(response)
    return response


@require_POST
def reset_feed(request):
    """A new address for the person's own feed: the old one stops working at once."""
    feeds.feed_of(request.user).reset()
    messages.success(
        request,
        "Your calendar feed has a new address, shown below. The old one no longer works: "
        "subscribe again with the new one wherever you used it.",
    )
    back = _safe_back(request, request.POST.get("back"))
    return HttpResponseRedirect(back or reverse("planning:month_today"))


@require_safe
def feed(request):
    """The iCalendar feed whose signed key the query carries, or a 404."""
    found = feeds.feed_for_key(request.GET.get(feeds.KEY_PARAMETER, ""))
    if found is None:
        raise Http404("No such calendar feed.")
    response = HttpResponse(
        feeds.render_feed(found.user).encode(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="cuesheet-calendar.ics"'
    # Private to its owner: no shared cache may keep it, and no search engine list it.
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
