"""Comparing two versions of a row: the fields that differ, each as readable HTML (words and
paragraphs marked with ``<del>`` and ``<ins>``)."""

import difflib
import json
import re
from dataclasses import dataclass

from django.db import models
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from editorial.revisions.storing import display_value, python_value, stored_fields, version_fields


@dataclass
class FieldChange:
    label: str
    html: str


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# Words with the space after them, so a rewritten phrase reads as one deletion and one insertion.
_TOKENS = re.compile(r"\s+|\S+\s*")


def word_diff(old, new):
    """Inline HTML: removed words in ``<del>``, added words in ``<ins>``."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(conditional_escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def paragraph_diff(old, new):
    """Block HTML: the paragraphs that changed, each with its words marked; the rest counted."""
    # Browsers post CRLF line ends; compare paragraphs, not line-ending styles.
    old, new = old.replace("\r\n", "\n"), new.replace("\r\n", "\n")
    a = [p for p in _PARAGRAPH_BREAK.split(old.strip()) if p]
    b = [p for p in _PARAGRAPH_BREAK.split(new.strip()) if p]
    blocks = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            count = i2 - i1
            blocks.append(
                format_html(
                    '<p class="diff-same">{} unchanged paragraph{}</p>',
                    count,
                    "" if count == 1 else "s",
                )
            )
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for index in range(max(len(olds), len(news))):
            before = olds[index] if index < len(olds) else None
            after = news[index] if index < len(news) else None
            if before is None:
                blocks.append(format_html('<p class="diff-added"><ins>{}</ins></p>', after))
            elif after is None:
                blocks.append(format_html('<p class="diff-removed"><del>{}</del></p>', before))
            else:
                blocks.append(
                    format_html('<p class="diff-changed">{}</p>', word_diff(before, after))
                )
    return format_html_join("", "{}", ((block,) for block in blocks))


def _field_change(field, old_raw, new_raw):
    label = str(field.verbose_name).capitalize()
    if field.many_to_many:
        old_items = {str(item) for item in python_value(field, old_raw)}
        new_items = {str(item) for item in python_value(field, new_raw)}
        removed = sorted(old_items - new_items)
        added = sorted(new_items - old_items)
        html = format_html_join(" ", "<del>{}</del>", ((item,) for item in removed))
        html += format_html_join(" ", " <ins>{}</ins>", ((item,) for item in added))
        return FieldChange(label, html)
    old_value, new_value = python_value(field, old_raw), python_value(field, new_raw)
    if isinstance(field, models.TextField):
        return FieldChange(label, paragraph_diff(old_value or "", new_value or ""))
    if isinstance(field, models.CharField) and not field.choices:
        return FieldChange(label, word_diff(old_value or "", new_value or ""))
    old_display, new_display = display_value(field, old_value), display_value(field, new_value)
    if old_display == new_display:
        return None  # e.g. a time that lost its microseconds in a form: no change to a reader
    return FieldChange(
        label, format_html("<del>{}</del> → <ins>{}</ins>", old_display, new_display)
    )


def compare(model, old_version, new_version):
    """The fields that differ between two versions, each with a readable HTML diff."""
    old, new = stored_fields(old_version), stored_fields(new_version)
    changes = []
    for field in version_fields(model):
        if not field.editable:
            continue  # an image's dimensions: the image's own change says it all
        old_raw, new_raw = old.get(field.name), new.get(field.name)
        if field.many_to_many:
            if sorted(map(json.dumps, old_raw or [])) == sorted(map(json.dumps, new_raw or [])):
                continue
        elif old_raw == new_raw:
            continue
        change = _field_change(field, old_raw, new_raw)
        if change is not None:
            changes.append(change)
    return changes
