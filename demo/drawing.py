"""Illustrations that stand in for real artwork in the demo content, drawn with Pillow alone.

They share one look — a dark field, a glowing perspective grid, one geometric motif per kind,
the title (except on a review's hero, which sits under the headline) — and each says in plain
letters along its foot that it is an illustration, so that nobody takes it for a studio's
poster or a photograph of a person. Nothing is downloaded, and the same arguments always give
the same pixels.
"""

import hashlib
import io
import math
import unicodedata

from PIL import Image, ImageColor, ImageDraw, ImageFilter, ImageFont, ImageOps

# Kind → size in pixels: posters 2:3, album covers square, portraits 4:5, hero images 16:9.
SIZES = {
    "poster": (800, 1200),
    "cover": (1000, 1000),
    "portrait": (640, 800),
    "hero": (1600, 900),
}
NOTICES = {
    "poster": "ILLUSTRATION · not the film’s poster",
    "cover": "ILLUSTRATION · not the album’s cover",
    "portrait": "ILLUSTRATION · not a photograph",
    "hero": "ILLUSTRATION · drawn for Cuesheet",
}
PALETTE = ("#3ee6ff", "#ff9f1c", "#ff3b3b", "#b388ff", "#7cff6b", "#f5f5f5")
BACKGROUND_TOP = (10, 16, 36)
BACKGROUND_BOTTOM = (2, 3, 8)
INK = (240, 244, 250)


def draw_illustration(kind, title, subtitle="", *, accent=None):
    """Return an RGB illustration of ``kind`` (a key of ``SIZES``) titled ``title``."""
    width, height = SIZES[kind]
    colour = ImageColor.getrgb(accent or _accent_for(title))
    image = ImageOps.colorize(
        Image.linear_gradient("L").resize((width, height)), BACKGROUND_TOP, BACKGROUND_BOTTOM
    )
    horizon = round(height * {"poster": 0.62, "cover": 0.64, "portrait": 0.7, "hero": 0.6}[kind])

    lines = Image.new("RGBA", (width, height))
    pen = ImageDraw.Draw(lines)
    _grid(pen, width, height, horizon, colour)
    {"poster": _disc, "cover": _record, "portrait": _bust, "hero": _trails}[kind](
        pen, width, height, horizon, colour
    )
    # The glow: the same lines blurred beneath them.
    glow = lines.filter(ImageFilter.GaussianBlur(radius=max(width, height) / 160))
    image = image.convert("RGBA")
    image.alpha_composite(glow)
    image.alpha_composite(lines)

    pen = ImageDraw.Draw(image)
    if kind != "hero":
        # A hero sits under its review's headline: written into the picture too, it would say
        # the headline twice. Posters, covers and portraits carry their titles, as real ones do.
        _title(pen, width, height, title, subtitle, colour, kind)
    _notice(pen, width, height, NOTICES[kind], colour)
    return image.convert("RGB")


def illustration_png(kind, title, subtitle="", *, accent=None):
    """The illustration as PNG bytes."""
    buffer = io.BytesIO()
    draw_illustration(kind, title, subtitle, accent=accent).save(buffer, "PNG")
    return buffer.getvalue()


def _accent_for(title):
    digest = hashlib.sha256(title.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def _faded(colour, alpha):
    return (*colour, alpha)


def _grid(pen, width, height, horizon, colour):
    vanishing_x = width / 2
    stroke = max(1, round(min(width, height) / 400))
    for step in range(-12, 13):
        pen.line(
            [(vanishing_x, horizon), (vanishing_x + step * width * 0.16, height)],
            fill=_faded(colour, 150),
            width=stroke,
        )
    rows = 9
    for row in range(1, rows + 1):
        y = horizon + (height - horizon) * (row / rows) ** 2
        pen.line([(0, y), (width, y)], fill=_faded(colour, 150), width=stroke)
    pen.line([(0, horizon), (width, horizon)], fill=_faded(colour, 255), width=stroke * 3)


def _disc(pen, width, height, horizon, colour):
    """Posters: an identity disc hanging over the horizon."""
    cx, cy, radius = width / 2, horizon - height * 0.2, width * 0.24
    stroke = max(2, round(width / 160))
    for share, alpha in ((1.0, 255), (0.78, 200), (0.5, 255), (0.2, 180)):
        r = radius * share
        pen.ellipse([cx - r, cy - r, cx + r, cy + r], outline=_faded(colour, alpha), width=stroke)
    for angle in range(0, 360, 45):
        a = math.radians(angle)
        inner, outer = radius * 0.5, radius * 0.78
        pen.line(
            [
                (cx + inner * math.cos(a), cy + inner * math.sin(a)),
                (cx + outer * math.cos(a), cy + outer * math.sin(a)),
            ],
            fill=_faded(colour, 220),
            width=stroke,
        )


def _record(pen, width, height, horizon, colour):
    """Album covers: a record, its grooves and its label."""
    cx, cy, radius = width / 2, height * 0.5, width * 0.27
    stroke = max(1, round(width / 500))
    for groove in range(18):
        r = radius * (1 - groove * 0.035)
        pen.ellipse(
            [cx - r, cy - r, cx + r, cy + r],
            outline=_faded(colour, 255 if groove % 6 == 0 else 110),
            width=stroke * (3 if groove % 6 == 0 else 1),
        )
    label = radius * 0.3
    pen.ellipse([cx - label, cy - label, cx + label, cy + label], fill=_faded(colour, 200))
    hole = radius * 0.04
    pen.ellipse([cx - hole, cy - hole, cx + hole, cy + hole], fill=(0, 0, 0, 255))


def _bust(pen, width, height, horizon, colour):
    """Portraits: a head and shoulders made of circles and lines, plainly not a likeness."""
    cx, stroke = width / 2, max(2, round(width / 130))
    head_y, head_r = height * 0.42, width * 0.15
    pen.ellipse(
        [cx - head_r, head_y - head_r, cx + head_r, head_y + head_r],
        outline=_faded(colour, 255),
        width=stroke,
    )
    shoulders = [cx - width * 0.34, head_y + head_r * 1.25, cx + width * 0.34, horizon * 1.45]
    pen.arc(shoulders, 180, 360, fill=_faded(colour, 255), width=stroke)
    pen.line(
        [(cx, head_y + head_r), (cx, head_y + head_r * 1.25)],
        fill=_faded(colour, 255),
        width=stroke,
    )


def _trails(pen, width, height, horizon, colour):
    """Hero images: a sun on the horizon and two light trails turning at right angles."""
    stroke = max(3, round(height / 110))
    sun = height * 0.2
    pen.pieslice(
        [width * 0.7 - sun, horizon - sun, width * 0.7 + sun, horizon + sun],
        180,
        360,
        fill=_faded(colour, 90),
        outline=_faded(colour, 255),
        width=stroke // 2,
    )
    for lane, alpha in ((0.74, 255), (0.9, 200)):
        y = horizon + (height - horizon) * lane
        points = [(0, y), (width * 0.38, y), (width * 0.38, y - height * 0.08 * lane)]
        points.append((width * 1.0, points[-1][1]))
        pen.line(points, fill=_faded(colour, alpha), width=stroke, joint="curve")


# Pillow's built-in font (used so that every machine draws the same pixels) covers ASCII and
# a little typographic punctuation; other letters are written without their accents.
_PUNCTUATION = set("‘’“”·–—…")
_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ł": "l", "Ł": "L"})


def _drawable(text):
    folded = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(
        char for char in folded if (char.isascii() and char.isprintable()) or char in _PUNCTUATION
    )


def _font(size):
    return ImageFont.load_default(size=max(8, round(size)))


def _wrap(pen, text, font, max_width):
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and pen.textlength(candidate, font=font) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def _title(pen, width, height, title, subtitle, colour, kind):
    margin = width * 0.07
    size = width * {"poster": 0.1, "cover": 0.075, "portrait": 0.1, "hero": 0.055}[kind]
    title, subtitle = _drawable(title), _drawable(subtitle)
    font = _font(size)
    lines = _wrap(pen, title, font, width - 2 * margin)
    while len(lines) > 3 and size > 12:
        size *= 0.85
        font = _font(size)
        lines = _wrap(pen, title, font, width - 2 * margin)
    y = height * 0.05
    for line in lines:
        pen.text((margin, y), line, font=font, fill=INK)
        y += size * 1.15
    if subtitle:
        small = _font(size * 0.45)
        for line in _wrap(pen, subtitle, small, width - 2 * margin):
            pen.text((margin, y + size * 0.15), line, font=small, fill=colour)
            y += size * 0.55


def _notice(pen, width, height, text, colour):
    band = height * 0.075
    pen.rectangle([0, height - band, width, height], fill=(0, 0, 0))
    pen.line([(0, height - band), (width, height - band)], fill=colour, width=2)
    text = _drawable(text)
    font = _font(band * 0.42)
    text_width = pen.textlength(text, font=font)
    pen.text(
        ((width - text_width) / 2, height - band / 2),
        text,
        font=font,
        fill=INK,
        anchor="lm",
    )
