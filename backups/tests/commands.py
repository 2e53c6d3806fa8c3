"""What the backup tests share: running the two commands, and listing a media folder."""

import io
from pathlib import Path

from django.core.management import call_command


def backup(path):
    call_command("backup", str(path), stdout=io.StringIO())
    return Path(path).read_bytes()


def restore(path, **options):
    out = io.StringIO()
    call_command("restore", str(path), stdout=out, **options)
    return out.getvalue()


def media_files(root):
    root = Path(root)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
