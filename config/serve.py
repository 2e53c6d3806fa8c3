"""`make serve`'s processes: Varnish on the public port, in front of one or more gunicorns.

    python config/serve.py           # start them, print the URL, stop them all on Ctrl-C/SIGTERM
    python config/serve.py --check   # only check that they can start: varnishd, vmod xkey, ports

Plain Python, no dependency: the Makefile runs it after migrate and collectstatic, with the
environment `make serve` exports (config.settings_production and the rest).

- ``HOST``/``PORT``: where Varnish listens (the site's address, SITE_URL's).
- ``APP_SERVERS`` (default 1): how many gunicorn instances (config/gunicorn.py, each with
  ``WEB_CONCURRENCY`` workers), on 127.0.0.1 at ``APP_PORTS`` (comma-separated; default the
  ports after ``PORT``). Varnish balances them round-robin, probing each on /healthz.
- ``VARNISHD`` (default: found on PATH or in /usr/sbin), ``VARNISH_WORKDIR`` (default
  var/varnish), ``VARNISH_STORAGE`` (default malloc,256m), ``VARNISHD_ARGS`` (more options for
  varnishd, such as ``-p thread_pool_max=1000``).

Each app server is told where Varnish is (``FRONT_CACHE_URLS``, after any the environment
names), so an edit purges it, and that one more proxy, Varnish, appends to X-Forwarded-For
(``TRUSTED_PROXY_COUNT`` plus one), so the login throttle sees the reader's address.

The app servers are written into Varnish's working directory as cuesheet-backends.vcl, which
config/varnish/cuesheet.vcl includes. Anything missing (varnishd, vmod xkey), a port that is
taken, or a process that will not start is said in one readable line, and the exit is non-zero.
"""

import argparse
import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "config" / "varnish" / "cuesheet.vcl"
BACKENDS_VCL = "cuesheet-backends.vcl"
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_TIMEOUT = 60
INSTALL = (
    "Install Debian's Varnish and its modules: sudo apt-get install varnish varnish-modules "
    "(.ci/run does this in CI; VARNISHD=/path/to/varnishd for another build)."
)


class ServeError(Exception):
    """What stops `make serve`, in words for whoever typed it."""


def find_varnishd():
    named = os.environ.get("VARNISHD")
    if named:
        if not os.access(named, os.X_OK):
            raise ServeError(f"VARNISHD={named} is not an executable.")
        return named
    found = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise ServeError(f"varnishd, `make serve`'s front cache, is not installed. {INSTALL}")
    return found


def app_ports(port, count):
    named = os.environ.get("APP_PORTS", "").strip()
    if not named:
        return [port + 1 + index for index in range(count)]
    try:
        ports = [int(item) for item in named.split(",") if item.strip()]
    except ValueError:
        raise ServeError(f"APP_PORTS={named!r} is not a list of port numbers.") from None
    if len(ports) != count:
        raise ServeError(f"APP_PORTS={named!r} names {len(ports)} ports, APP_SERVERS={count}.")
    return ports


def whole_number(name, default, least):
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or int(value) < least:
        raise ServeError(f"{name}={value!r} is not a whole number of at least {least}.")
    return int(value)


def is_loopback_or_any(host):
    return host in {"", "0.0.0.0", "::", "127.0.0.1", "::1", "localhost"}


def check_free(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ServeError(
                f"Port {port} on {host} is taken ({error.strerror}): another server is "
                "running there. Stop it, or choose other ports (PORT=..., APP_PORTS=...)."
            ) from None


def render_backends(ports, host):
    """cuesheet-backends.vcl: one backend per app server, probed on /healthz with the site's
    ``host`` (the app answers 400 to any other), in the round-robin director."""
    lines = [
        "# Rendered by config/serve.py at each start: the app servers. Do not edit.",
        "probe healthz {",
        "    .request =",
        '        "GET /healthz HTTP/1.1"',
        f'        "Host: {host}"',
        '        "Connection: close"',
        '        "User-Agent: Varnish health probe";',
        "    .timeout = 2s;",
        "    .interval = 1s;",
        "    .window = 3;",
        "    .threshold = 2;",
        "    .initial = 2;",
        "}",
    ]
    for index, port in enumerate(ports, 1):
        lines += [
            f"backend app_{index} {{",
            '    .host = "127.0.0.1";',
            f'    .port = "{port}";',
            "    .probe = healthz;",
            "    .connect_timeout = 1s;",
            "    .first_byte_timeout = 30s;",
            "    .between_bytes_timeout = 10s;",
            "}",
        ]
    lines.append("sub vcl_init {")
    lines += [f"    app.add_backend(app_{index});" for index in range(1, len(ports) + 1)]
    lines.append("}")
    return "\n".join(lines) + "\n"


class Stack:
    def __init__(self):
        self.host = os.environ.get("HOST", "127.0.0.1")
        self.port = whole_number("PORT", 8000, 1)
        self.count = whole_number("APP_SERVERS", 1, 1)
        self.ports = app_ports(self.port, self.count)
        self.workdir = Path(os.environ.get("VARNISH_WORKDIR", ROOT / "var" / "varnish")).resolve()
        self.storage = os.environ.get("VARNISH_STORAGE", "malloc,256m")
        self.varnishd = find_varnishd()
        self.processes = []  # (name, Popen)
        listen = f"[{self.host}]" if ":" in self.host else self.host
        self.listen = [f"{listen}:{self.port}"]
        if is_loopback_or_any(self.host):
            local = "[::1]" if self.host == "::1" else "127.0.0.1"
        else:
            # Purges come from the app servers on this machine, to the address the ACL allows.
            local = "127.0.0.1"
            self.listen.append(f"127.0.0.1:{self.port}")
        self.purge_url = f"http://{local}:{self.port}"
        self.site_url = f"http://{listen}:{self.port}/"
        # The Host the app answers: SITE_URL's (ALLOWED_HOSTS is built on it), else ours.
        self.site_host = urlsplit(os.environ.get("SITE_URL", "")).netloc or self.listen[0]
        if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", self.site_host):
            raise ServeError(f"SITE_URL's host {self.site_host!r} cannot be probed.")

    def varnish_args(self):
        return [
            "-n",
            str(self.workdir),
            "-f",
            str(VCL),
            "-p",
            f"vcl_path={self.workdir}:{VCL.parent}:/etc/varnish:/usr/share/varnish/vcl",
            "-s",
            self.storage,
            *shlex.split(os.environ.get("VARNISHD_ARGS", "")),
        ]

    def check(self):
        """Everything that can be known before starting: varnishd, its modules, the ports."""
        check_free(self.host, self.port)
        for port in self.ports:
            check_free("127.0.0.1", port)
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / BACKENDS_VCL).write_text(render_backends(self.ports, self.site_host))
        compiled = subprocess.run(
            [self.varnishd, "-C", *self.varnish_args()],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if compiled.returncode != 0:
            output = compiled.stderr.strip() or compiled.stdout.strip()[-2000:]
            # varnishd -C also reports tidying its scratch files; that is not the problem.
            problem = "\n".join(
                line
                for line in output.splitlines()
                if not line.startswith(("Could not delete", "Could not rmdir"))
            )
            if "xkey" in problem and "VMOD" in problem.upper():
                raise ServeError(
                    f"Varnish's xkey module (tag purges) is not installed. {INSTALL}\n{problem}"
                )
            raise ServeError(f"Varnish refused {VCL.relative_to(ROOT)}:\n{problem}")
        if not GUNICORN.exists():
            raise ServeError(f"{GUNICORN} is missing: run `make install`.")

    def app_env(self, port):
        env = dict(os.environ)
        env.pop("GUNICORN_BIND", None)
        urls = [url for url in env.get("FRONT_CACHE_URLS", "").split(",") if url.strip()]
        env["FRONT_CACHE_URLS"] = ",".join([*urls, self.purge_url])
        proxies = env.get("TRUSTED_PROXY_COUNT", "").strip() or "0"
        env["TRUSTED_PROXY_COUNT"] = str(int(proxies) + 1 if proxies.isdigit() else proxies)
        env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
        return env

    def start(self):
        for port in self.ports:
            self.spawn(
                f"gunicorn on 127.0.0.1:{port}",
                [str(GUNICORN), "--config", "config/gunicorn.py", "config.wsgi"],
                self.app_env(port),
            )
        args = [self.varnishd, "-F", *self.varnish_args()]
        for address in self.listen:
            args += ["-a", address]
        self.spawn(f"varnishd on {self.listen[0]}", args, dict(os.environ))
        deadline = time.monotonic() + START_TIMEOUT
        for port in self.ports:
            self.wait_for(f"http://127.0.0.1:{port}/healthz", deadline)
        self.wait_for(f"{self.purge_url}/healthz", deadline)

    def spawn(self, name, args, env):
        process = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
        self.processes.append((name, process))

    def wait_for(self, url, deadline):
        while True:
            self.check_running()
            try:
                request = urllib.request.Request(url, headers={"Host": self.site_host})
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ServeError(f"{url} did not answer within {START_TIMEOUT} s.")
            time.sleep(0.2)

    def check_running(self):
        for name, process in self.processes:
            if process.poll() is not None:
                raise ServeError(f"{name} exited (status {process.returncode}): see above.")

    def stop(self):
        for _, process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


class Stopped(Exception):
    pass


def on_signal(number, frame):
    raise Stopped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="check, start nothing")
    options = parser.parse_args(argv)
    try:
        stack = Stack()
        stack.check()
    except ServeError as error:
        print(f"make serve: {error}", file=sys.stderr)
        return 1
    if options.check:
        return 0
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        stack.start()
        servers = ", ".join(f"127.0.0.1:{port}" for port in stack.ports)
        print(f"\nSite:  {stack.site_url}  (Varnish, in front of gunicorn on {servers})")
        print(f"Admin: {stack.site_url}admin/\nCtrl-C stops them all.\n", flush=True)
        while True:
            stack.check_running()
            time.sleep(0.5)
    except ServeError as error:
        print(f"make serve: {error} Stopping.", file=sys.stderr)
        return 1
    except Stopped:
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
