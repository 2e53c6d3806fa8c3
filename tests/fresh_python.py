"""A fresh interpreter for each settings check, at a fraction of a new process's cost.

The settings tests import a settings module under an environment of their own, which a process
can do once: each check needs an interpreter that has read no settings. Starting Python and
importing Django takes most of a second, so one helper process a test process imports Django
once (none of it reads settings on import) and forks a child per check. The child is what
``python -c ...`` or ``python manage.py ...`` would be for everything the settings decide: no
settings module imported, no app loaded, the environment and working directory it is given,
and its own exit status, standard output and standard error. ``test_a_check_starts_unconfigured``
in tests/test_settings.py holds it to that.
"""

import atexit
import json
import os
import subprocess
import sys
import threading

_SERVER = r"""
import json, os, runpy, signal, sys, tempfile, traceback

import django.contrib.admin, django.core.management, django.db.models, django.test  # noqa

def run(request):
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    signal.alarm(request["timeout"])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(os.open(request["stdout"], os.O_WRONLY), 1)
    os.dup2(os.open(request["stderr"], os.O_WRONLY), 2)
    argv = request["argv"]
    try:
        if argv[0] == "-c":
            sys.argv = ["-c", *argv[2:]]
            exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
        else:
            sys.argv = argv
            sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))
            runpy.run_path(argv[0], run_name="__main__")
        status = 0
    except SystemExit as exit:
        if exit.code is None or isinstance(exit.code, int):
            status = exit.code or 0
        else:
            print(exit.code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)

for line in sys.stdin:
    request = json.loads(line)
    with tempfile.TemporaryDirectory() as folder:
        request["stdout"], request["stderr"] = (os.path.join(folder, n) for n in ("out", "err"))
        for name in ("stdout", "stderr"):
            open(request[name], "w").close()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            run(request)
        _, status = os.waitpid(pid, 0)
        returncode = os.waitstatus_to_exitcode(status)
        outputs = {}
        for name in ("stdout", "stderr"):
            with open(request[name], encoding="utf-8", errors="replace") as output:
                outputs[name] = output.read()
    sys.stdout.write(json.dumps({"returncode": returncode, **outputs}) + "\n")
    sys.stdout.flush()
"""

_server = None
_lock = threading.Lock()


def _start():
    global _server
    if _server is None or _server.poll() is not None:
        environment = {"PYTHONUNBUFFERED": "1"}
        _server = subprocess.Popen(
            [sys.executable, "-c", _SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**_inherited(), **environment},
        )
        atexit.register(_server.kill)
    return _server


def _inherited():
    return {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}


def run(argv, *, cwd, env, timeout=60):
    """Like ``subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True,
    text=True)``: ``argv`` is ``["-c", code]`` or ``["manage.py", ...]``. A check that outlives
    ``timeout`` seconds is killed by its alarm (return code -14)."""
    with _lock:
        server = _start()
        request = {"argv": list(argv), "cwd": str(cwd), "env": dict(env), "timeout": timeout}
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        line = server.stdout.readline()
    if not line:
        raise RuntimeError("the fresh-interpreter helper process died")
    result = json.loads(line)
    return subprocess.CompletedProcess(
        [sys.executable, *argv], result["returncode"], result["stdout"], result["stderr"]
    )
