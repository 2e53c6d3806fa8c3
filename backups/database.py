"""Which rows a backup carries, and how they are written and read back.

Every concrete model of every installed app travels, except the rows that ``migrate`` makes
by itself (content types, permissions) and what is not content (sessions). Rows keep their
primary keys, so everything that names a row by its key stays true after a restore: foreign
keys, many-to-many links, django-reversion's versions of models without a ``uid`` and the
admin log's object ids. Content types and permissions are named by natural key (``["films",
"film"]``, ``["change_film", "films", "film"]``), because a new database numbers them its own way.

A row is one JSON object per line: the model's concrete fields by name, in declaration order,
then its many-to-many fields (auto-created ones; a ``through`` model travels as a model of its
own) as sorted lists. Values are what Django's serializers write, except that times keep their
microseconds. Rows are read in chunks and written to a temporary file as they come, so memory
does not grow with the tables; only each many-to-many field's links are held (as small tuples).

Rows are read back with raw inserts in primary-key order and models in dependency order: no
``save()``, no signals, so nothing is re-rendered, re-stamped or re-versioned on the way in.

Why one file of about 420 lines: which rows travel, how each is written and how it is read back
are one row format; the dump and the loader must agree field by field (natural keys, many-to-
many lists, microseconds), so they sit side by side, in the sections marked below.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.encoding import is_protected_type

from backups.archive import BackupError

# Rows a backup leaves out, and why. Models that point at the first two name them by natural key.
NOT_CARRIED = {
    "contenttypes.contenttype": "migrate makes them, with ids of its own",
    "auth.permission": "migrate makes them, with ids of its own",
    "sessions.session": "logins do not travel: everyone signs in again after a restore",
}
# Models whose rows a data migration makes in every new database (reviews' 0005_editorial_roles
# makes the Writers and Editors groups). They do not count as content, and a restore replaces
# them with the archive's. tests/test_backup.py checks this against a freshly migrated database.
MADE_BY_MIGRATIONS = {"auth.group"}
# Rows per INSERT on restore: few statements, and a batch of long reviews stays a few MB.
BATCH_SIZE = 200


def carried_models():
    """The models a backup carries, each after the models it points at (ties by label)."""
    models = []
    for model in apps.get_models():
        options = model._meta
        if options.proxy or not options.managed or options.label_lower in NOT_CARRIED:
            continue
        if options.parents:
            raise BackupError(
                f"{options.label} uses multi-table inheritance, which backups do not carry yet."
            )
        models.append(model)
    return _dependency_order(models)


def _dependency_order(models):
    """Models after the ones their foreign keys and many-to-many fields point at.

    A cycle (two models pointing at each other) is broken at the first label: the constraints
    are only checked once every row is in, so the order matters for readability, not validity.
    """
    carried = set(models)
    needs = {
        model: {target for target in _targets(model) if target in carried and target is not model}
        for model in models
    }
    ordered = []
    remaining = sorted(models, key=lambda model: model._meta.label_lower)
    while remaining:
        ready = [model for model in remaining if not needs[model] - set(ordered)]
        chosen = ready[0] if ready else remaining[0]
        ordered.append(chosen)
        remaining.remove(chosen)
    return ordered


def _targets(model):
    return [field.related_model for field in _relations(model)]


def _relations(model):
    options = model._meta
    return [
        *(field for field in options.concrete_fields if field.is_relation),
        *_many_to_many(model),
    ]


def _many_to_many(model):
    return [
        field for field in model._meta.many_to_many if field.remote_field.through._meta.auto_created
    ]


def _by_natural_key(carried):
    """The models rows point at that do not travel: named by natural key, or refused."""
    targets = {}
    for model in carried:
        for field in _relations(model):
            target = field.related_model
            if target in carried or target in targets:
                continue
            if not hasattr(target, "natural_key"):
                raise BackupError(
                    f"{model._meta.label}.{field.name} points at {target._meta.label}, which "
                    "backups leave out and which has no natural key."
                )
            targets[target] = None
    return list(targets)


def _natural_keys(target):
    """pk → natural key (a list) of every row of ``target``."""
    rows = target._base_manager.order_by("pk")
    if related := [field.name for field in target._meta.concrete_fields if field.is_relation]:
        rows = rows.select_related(*related)
    return {row.pk: list(row.natural_key()) for row in rows}


# Migrations -----------------------------------------------------------------------------------


def applied_migrations():
    """The installed apps' applied migrations: ``{app_label: [name, …]}``, sorted."""
    installed = {config.label for config in apps.get_app_configs()}
    applied = defaultdict(list)
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if app_label in installed:
            applied[app_label].append(name)
    return {label: sorted(names) for label, names in sorted(applied.items())}


def check_fully_migrated():
    loader = MigrationLoader(connection)
    if pending := sorted(set(loader.graph.nodes) - set(loader.applied_migrations)):
        raise BackupError(
            f"The database has migrations to apply ({_names(pending)}): run manage.py migrate "
            "first."
        )


def check_migrations_match(archived):
    """Refuse an archive whose schema is not this database's, saying what to do instead."""
    here = {(app, name) for app, names in applied_migrations().items() for name in names}
    there = {(app, name) for app, names in archived.items() for name in names}
    if there == here:
        return
    known = set(MigrationLoader(connection, ignore_no_migrations=True).disk_migrations)
    if unknown := sorted(there - known):
        raise BackupError(
            "This backup comes from a newer Cuesheet: its database has migrations this code "
            f"does not know ({_names(unknown)}). Install the release that made it (or a newer "
            "one), run manage.py migrate, then restore."
        )
    if unapplied := sorted(there - here):
        raise BackupError(
            f"This database lacks migrations the backup has ({_names(unapplied)}): run "
            "manage.py migrate, then restore."
        )
    raise BackupError(
        "This backup was made before migrations this database has "
        f"({_names(sorted(here - there))}). Restore it into a database migrated only as far "
        "as the backup (manage.py migrate <app> <its last migration in the backup> for each "
        "app), then run manage.py migrate."
    )


def _names(pairs):
    shown = ", ".join(f"{app}.{name}" for app, name in pairs[:5])
    return shown + (f" and {len(pairs) - 5} more" if len(pairs) > 5 else "")


# Writing rows ---------------------------------------------------------------------------------


class _Encoder(DjangoJSONEncoder):
    """Django's JSON, but times keep their microseconds (Django's rounds to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


@dataclass(frozen=True)
class Table:
    """One model's rows, written as JSON Lines to ``file`` (a temporary file, rewound)."""

    model: type
    rows: int
    size: int
    sha256: str
    file: object


def dump_models(spool):
    """A ``Table`` for every carried model, in dependency order; ``spool()`` makes a temp file."""
    carried = carried_models()
    natural = {target: _natural_keys(target) for target in _by_natural_key(carried)}
    tables = []
    for model in carried:
        try:
            tables.append(_dump_model(model, natural, spool()))
        except DatabaseError as error:
            raise BackupError(
                f"Could not read {model._meta.label} ({error}): is the database migrated?"
            ) from error
    return tables


def _dump_model(model, natural, file):
    fields = model._meta.concrete_fields
    links = {field.name: _links(field, natural) for field in _many_to_many(model)}
    sha256 = hashlib.sha256()
    rows = size = 0
    for obj in model._base_manager.order_by("pk").iterator(chunk_size=2000):
        row = {field.name: _dump_value(obj, field, natural) for field in fields}
        for name, targets in links.items():
            row[name] = targets.get(obj.pk, [])
        line = json.dumps(row, cls=_Encoder, ensure_ascii=False, separators=(",", ":"))
        data = f"{line}\n".encode()
        file.write(data)
        sha256.update(data)
        rows += 1
        size += len(data)
    file.flush()
    file.seek(0)
    return Table(model=model, rows=rows, size=size, sha256=sha256.hexdigest(), file=file)


def _dump_value(obj, field, natural):
    if field.is_relation:
        value = getattr(obj, field.attname)
        if value is not None and field.related_model in natural:
            return natural[field.related_model][value]
    else:
        value = field.value_from_object(obj)
    return value if is_protected_type(value) else field.value_to_string(obj)


def _links(field, natural):
    """source pk → sorted targets (pks, or natural keys) of an auto-created many-to-many."""
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    keys = natural.get(field.related_model)
    links = defaultdict(list)
    for source_pk, target_pk in through._base_manager.values_list(source, target):
        links[source_pk].append(keys[target_pk] if keys else _plain(target_pk))
    return {source_pk: sorted(targets) for source_pk, targets in links.items()}


def _plain(value):
    return value if isinstance(value, int | str) else str(value)


# Reading rows ---------------------------------------------------------------------------------


def holds_content():
    """``{label: count}`` of what this database holds that a restore would have to replace."""
    return {
        model._meta.label: count
        for model in carried_models()
        if model._meta.label_lower not in MADE_BY_MIGRATIONS
        and (count := model._base_manager.count())
    }


def delete_rows(models):
    """Delete every row of ``models`` and their many-to-many links; no signals, no cascades."""
    tables = []
    for model in reversed(models):
        tables += [field.remote_field.through._meta.db_table for field in _many_to_many(model)]
        tables.append(model._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


class RowLoader:
    """Inserts one archive's rows: ``load(model, lines, entry)`` per model, then ``finish()``."""

    def __init__(self, labels):
        carried = {model._meta.label_lower: model for model in carried_models()}
        if unknown := [label for label in labels if label not in carried]:
            raise BackupError(
                f"The backup holds rows of {', '.join(unknown)}, which this Cuesheet does not "
                "carry in backups (or no longer has)."
            )
        self.models = [carried[label] for label in labels]
        self._natural = {
            target: {tuple(key): pk for pk, key in _natural_keys(target).items()}
            for target in _by_natural_key(list(carried.values()))
        }

    def load(self, model, lines, entry):
        """Insert the rows of ``model`` read from ``lines`` (bytes, one JSON object each)."""
        fields = model._meta.concrete_fields
        many = _many_to_many(model)
        expected = {field.name for field in (*fields, *many)}
        batch, links, count = [], defaultdict(list), 0
        size = max(1, min(BATCH_SIZE, connection.ops.bulk_batch_size(fields, [None] * BATCH_SIZE)))
        for number, line in enumerate(lines, 1):
            where = f"{entry.name}, line {number}"
            row = _parse(line, where)
            if set(row) != expected:
                missing, extra = sorted(expected - set(row)), sorted(set(row) - expected)
                raise BackupError(
                    f"{where} does not match the model {model._meta.label} "
                    f"(missing: {', '.join(missing) or 'none'}; unknown: "
                    f"{', '.join(extra) or 'none'})."
                )
            values = {field.attname: self._value(field, row[field.name], where) for field in fields}
            if values[model._meta.pk.attname] is None:
                raise BackupError(f"{where} has no primary key.")
            for field in many:
                links[field] += [
                    (values[model._meta.pk.attname], self._target(field, target, where))
                    for target in _list(row[field.name], where)
                ]
            batch.append(model(**values))
            count += 1
            if len(batch) >= size:
                _insert(model, batch, fields, where)
                batch = []
        if batch:
            _insert(model, batch, fields, entry.name)
        for field, pairs in links.items():
            self._link(field, pairs, entry.name)
        if count != entry.rows:
            raise BackupError(
                f"{entry.name} holds {count} rows; the manifest says {entry.rows}: it is corrupt."
            )

    def _value(self, field, value, where):
        try:
            if field.is_relation:
                return None if value is None else self._target(field, value, where)
            return field.to_python(value)
        except (ValidationError, TypeError, ValueError) as error:
            raise BackupError(
                f"{where}: {field.name} has an impossible value {value!r}."
            ) from error

    def _target(self, field, value, where):
        keys = self._natural.get(field.related_model)
        try:
            if keys is None:
                return field.target_field.to_python(value)
            return keys[tuple(value)]
        except (ValidationError, TypeError, ValueError):
            raise BackupError(f"{where}: {field.name} has an impossible value {value!r}.") from None
        except KeyError:
            raise BackupError(
                f"{where}: {field.name} names {value!r}, which is not a "
                f"{field.related_model._meta.verbose_name} of this database."
            ) from None

    def _link(self, field, pairs, where):
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name())
        target = through._meta.get_field(field.m2m_reverse_field_name())
        rows = [through(**{source.attname: s, target.attname: t}) for s, t in pairs]
        size = max(1, min(BATCH_SIZE, connection.ops.bulk_batch_size([source, target], rows)))
        for start in range(0, len(rows), size):
            _insert(through, rows[start : start + size], [source, target], where)

    def finish(self):
        """Check that every row points at rows that exist; move id sequences past the rows."""
        tables = [model._meta.db_table for model in self.models]
        tables += [
            field.remote_field.through._meta.db_table
            for model in self.models
            for field in _many_to_many(model)
        ]
        try:
            connection.check_constraints(table_names=tables)
        except DatabaseError as error:
            raise BackupError(f"The backup's rows do not fit together: {error}") from error
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(statement)


def _parse(line, where):
    try:
        row = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{where} is not valid JSON ({error}).") from error
    if not isinstance(row, dict):
        raise BackupError(f"{where} is not a JSON object.")
    return row


def _list(value, where):
    if not isinstance(value, list):
        raise BackupError(f"{where}: a many-to-many field is not a list.")
    return value


def _insert(model, objs, fields, where):
    """Insert ``objs`` as they are: a raw insert, as ``loaddata`` does, but many rows at a time.

    ``QuerySet._insert`` is what ``save()`` and ``bulk_create()`` use underneath; called with
    ``raw=True`` it writes each field's value as given (no ``auto_now``, no ``save()``, no signals).
    """
    try:
        model._base_manager._insert(objs, fields=fields, raw=True, using=connection.alias)
    except DatabaseError as error:
        raise BackupError(f"{where}: the database refused a row ({error}).") from error
