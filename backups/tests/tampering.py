"""Taking an archive apart and putting it back changed: the tools the refusal tests use.

Each ``rewrite`` change gets the archive's members (and its manifest, kept consistent with them
unless the case is a lying manifest) and returns them changed.
"""

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

from backups.archive import MANIFEST_NAME


def read_members(path):
    with tarfile.open(path, "r:gz") as tar:
        return [
            (member, tar.extractfile(member).read() if member.isfile() else b"")
            for member in tar.getmembers()
        ]


def write_members(path, members, *, trailer=b""):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for member, data in members:
            tar.addfile(member, io.BytesIO(data) if member.isfile() else None)
    Path(path).write_bytes(gzip.compress(buffer.getvalue() + trailer, mtime=0))
    return path


def regular(name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def rewrite(path, change, *, fix_manifest=True):
    """Rewrite the archive with ``change(manifest, members)`` applied.

    Unless told otherwise, the manifest then declares the changed members' sizes and checksums,
    so that each case shows one defect; a change made by ``edit_manifest`` comes after that.
    """
    members = read_members(path)
    manifest = json.loads(members[0][1])
    members = members[1:]
    edits = getattr(change, "edits_manifest", False)
    if not edits:
        change(manifest, members)
    if fix_manifest:
        declare(manifest, members)
    if edits:
        change(manifest, members)
    for info, data in members:
        if info.isfile():
            info.size = len(data)
    return write_members(path, [regular(MANIFEST_NAME, json.dumps(manifest).encode()), *members])


def declare(manifest, members):
    by_name = {info.name: data for info, data in members}
    items = [(f"db/{item['model']}.jsonl", item) for item in manifest["database"]]
    items += [(f"media/{item['name']}", item) for item in manifest["media"]]
    for name, item in items:
        if (data := by_name.get(name)) is not None:
            item["size"], item["sha256"] = len(data), hashlib.sha256(data).hexdigest()


def replace_member(name, new):
    def change(manifest, members):
        for index, (info, data) in enumerate(members):
            if info.name == name:
                members[index] = (info, new(data))

    return change


def edit_manifest(edit):
    def change(manifest, members):
        edit(manifest)

    change.edits_manifest = True
    return change


def add_member(info, data=b"", at=None):
    def change(manifest, members):
        members.insert(len(members) if at is None else at, (info, data))

    return change


def special(name, kind, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


def first_line_with(field, value):
    def new(data):
        lines = data.decode().splitlines()
        row = json.loads(lines[0])
        row[field] = value
        lines[0] = json.dumps(row)
        return ("\n".join(lines) + "\n").encode()

    return new


def media_name(manifest, index=0):
    return manifest["media"][index]["name"]


def list_media_as(name):
    return edit_manifest(lambda m: m["media"][0].update(name=name))


def swap_media(manifest, members):
    first = next(i for i, (info, _) in enumerate(members) if info.name.startswith("media/"))
    members[first], members[first + 1] = members[first + 1], members[first]


def rename_media(manifest, members):
    for info, _ in members:
        if info.name.startswith("media/"):
            info.name = "media/elsewhere/" + info.name.rsplit("/", 1)[1]
            return


def grow_member(manifest, members):
    # The header says 8 MB, the manifest still says a few bytes.
    for index, (info, data) in enumerate(members):
        if info.name == "media/notes/readme.txt":
            members[index] = (info, data + b"\0" * 8_000_000)


def bump_format(manifest):
    manifest["version"] = 2


def from_the_future(manifest):
    manifest["migrations"]["films"].append("9999_from_the_future")


def from_the_past(manifest):
    manifest["migrations"]["films"].pop()
