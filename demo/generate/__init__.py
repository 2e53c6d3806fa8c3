"""A large, deterministic publication for benchmarks and scale tests (``generate_content``).

Everything it makes has a slug starting with ``gen-`` (track notes hang off generated tracks,
cues and their album links off generated films), so
it never collides with the Tron fixtures and ``--replace`` removes exactly what it made. The same
options and seed give the same content, row for row, on SQLite and PostgreSQL.

The publication is planned in memory first (publication.py: prose.py for the sentences,
catalogue.py for people, films, credits, albums and tracks, cues.py for the films' cue sheets
(about forty cues a film with timecodes, their album tracks, themes), reviews.py for authors,
tags, reviews (citing tracks and cues), track notes and the reviews' sources, all drawing on the
word lists in data/ through words.py), then written with
``bulk_create`` in one transaction (writing.py). ``bulk_create`` sends no signals, so three things
that signals or ``save()`` normally do are done by hand: review bodies are rendered to
``body_html`` (rendering.py, in a process pool: it is most of the time), automatic timestamps are
set to fixed times (``auto_now`` would stamp the moment of the run), and the page cache's content
version is bumped at the end (the command).
"""

import datetime

PREFIX = "gen-"
# Reviews are published over the ten years before this moment; a fixed one keeps runs identical.
ANCHOR = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
SPAN = datetime.timedelta(days=3652)
