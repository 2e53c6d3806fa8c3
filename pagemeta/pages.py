"""What every public page's <head> and breadcrumb trail need, from one view mixin."""

import time

from pagemeta import seo


def page_context(request, meta, breadcrumbs=(), structured_data=()):
    """Context for base.html: ``meta`` (title, description, og_type), the breadcrumb trail
    from Home and the page's schema.org data, the trail's BreadcrumbList included."""
    trail = [("Home", "/"), *breadcrumbs] if breadcrumbs else []
    data = list(structured_data)
    if trail:
        data.append(seo.breadcrumb_list(request, trail))
    return {"meta": meta, "breadcrumbs": trail, "structured_data": data}


class PageMixin:
    """For public views. Subclasses override ``get_meta()``, ``get_breadcrumbs()`` (the trail
    after Home as (name, url) pairs, ending with the page itself) and ``get_structured_data()``
    (builders from ``pagemeta.seo``). A list view's page gets an ItemList of its rows."""

    def setup(self, request, *args, **kwargs):
        # When the page began reading content: a fragment it stores (pagemeta.fragments) is
        # stale if anything it shows changed after this.
        request.fragments_since = time.time_ns()
        super().setup(request, *args, **kwargs)

    def get_meta(self):
        return {}

    def get_breadcrumbs(self):
        return []

    def get_structured_data(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta, data = self.get_meta(), list(self.get_structured_data())
        if (listed := context.get("object_list")) is not None:
            # A list page (a ListView's page of rows): an ItemList of what this page lists, the
            # rows the template shows (the same queryset, so no query of its own).
            data.append(seo.item_list(self.request, list(listed), name=meta.get("title")))
        context.update(page_context(self.request, meta, self.get_breadcrumbs(), data))
        return context
