"""The commits a run compares: the head (the working tree, or ``--head REV``), the base
(``--base REV``, by default where the head's branch left its upstream, else the head's parent)
and any ``--step REV`` between them. Each compared commit is checked out in a git worktree and
served from a copy of the benchmark database migrated back to its schema."""

import shutil
import subprocess

from bench.environment import BASE, VAR, commit_env, manage, psql


def git(*args, check=True):
    result = subprocess.run(["git", *args], cwd=BASE, capture_output=True, text=True)
    if check and result.returncode:
        raise SystemExit(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip() if result.returncode == 0 else None


def resolve(revision):
    """The full hash of a revision (a hash, tag, branch or HEAD~N), or exit saying why not."""
    sha = git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
    if not sha:
        raise SystemExit(f"bench: {revision!r} names no commit here")
    return sha


def short(sha):
    return git("rev-parse", "--short", sha)


def default_base(head):
    """The merge-base of ``head`` with the current branch's upstream, when that is an earlier
    commit (a branch measured against what it branched from); otherwise ``head``'s parent."""
    upstream = git("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False)
    if upstream:
        merge_base = git("merge-base", head, upstream, check=False)
        if merge_base and merge_base != resolve(head):
            return merge_base
    return resolve(f"{head}~1")


def plan(base=None, head=None, steps=()):
    """What a run compares, oldest first: dicts of label, revision (full hash) and the pages
    timed for it. ``base="none"`` compares nothing. ``steps`` are ``REV`` or ``REV=LABEL``."""
    if base == "none":
        return []
    head_revision = head or "HEAD"
    base = resolve(base) if base else default_base(head_revision)
    compared = [(base, f"base {short(base)}")]
    for step in steps:
        revision, _, label = step.partition("=")
        sha = resolve(revision)
        compared.append((sha, label or short(sha)))
    shas = [sha for sha, _ in compared] + ([resolve(head)] if head else [])
    if len(set(shas)) < len(shas):
        raise SystemExit("bench: the base, the steps and the head must be different commits")
    return [{"label": label, "revision": sha} for sha, label in compared]


def worktree(revision):
    """The commit checked out under var/bench/trees/."""
    tree = VAR / "trees" / revision
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(tree)], cwd=BASE, capture_output=True
    )
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), revision],
        cwd=BASE,
        check=True,
        capture_output=True,
    )
    return tree


def remove_worktree(tree):
    subprocess.run(
        ["git", "worktree", "remove", "--force", str(tree)], cwd=BASE, capture_output=True
    )


def migration_targets(tree, current):
    """Per app with migrations in the checkout ``current``, the schema ``tree`` expects: its
    newest migration there, or ``zero`` where ``tree`` has no such app yet."""
    targets = {}
    for migrations in sorted(current.glob("*/migrations")):
        app = migrations.parent.name
        if not any(migrations.glob("[0-9]*.py")):
            continue
        names = sorted(path.stem for path in (tree / app / "migrations").glob("[0-9]*.py"))
        targets[app] = names[-1] if names else "zero"
    return targets


def step_database(name, spec, index, tree, current):
    """A copy of the benchmark database, migrated back to what ``tree`` expects with the
    migrations of ``current`` (the head's checkout, which knows how to undo its own)."""
    if name == "PostgreSQL":
        copy = f"cuesheet_bench_step{index}"
        psql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        psql(f'CREATE DATABASE "{copy}" TEMPLATE "cuesheet_bench"')
        url = spec["url"].replace("/cuesheet_bench", f"/{copy}")
    else:
        copy = VAR / f"step{index}.sqlite3"
        shutil.copy(VAR / "cuesheet.sqlite3", copy)
        url = f"sqlite:///{copy}"
    env = commit_env(url)
    for app, target in migration_targets(tree, current).items():
        manage(env, "migrate", app, target, "--noinput", cwd=current)
    return url
