"""The servers measured: gunicorn as `make serve` runs it, and nginx for the ceiling."""

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

from bench.environment import BASE, GUNICORN, VAR, _sbin_path, code


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read()


class Server:
    """gunicorn as `make serve` runs it (config/gunicorn.py), on a free loopback port."""

    def __init__(self, label, env, cwd=None):
        self.label, self.env, self.cwd = label, env, cwd or code()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        log = open(VAR / "logs" / f"{re.sub(r'\W+', '-', self.label)}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [GUNICORN, "--config", str(self.cwd / "config" / "gunicorn.py"), "config.wsgi"],
            cwd=self.cwd,
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = fetch(self.url + "/healthz")
                if status == 200 and json.loads(body)["status"] == "ok":
                    return self
            except (urllib.error.URLError, ConnectionError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()  # __exit__ is not called when __enter__ raises.
                raise SystemExit(f"{self.label}: the server did not start; see {log.name}")
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Nginx:
    def __init__(self, root):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.prefix = VAR / "nginx"
        self.prefix.mkdir(parents=True, exist_ok=True)
        config = (BASE / "bench" / "nginx.conf").read_text()
        self.config = self.prefix / "nginx.conf"
        self.config.write_text(
            config.format(prefix=self.prefix, port=self.port, root=root, workers=2)
        )

    def __enter__(self):
        nginx = shutil.which("nginx", path=_sbin_path())
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.prefix), "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                fetch(self.url + "/review.html")
                return self
            except urllib.error.HTTPError:
                return self
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise SystemExit("nginx did not start; see var/bench/nginx/error.log") from None
                time.sleep(0.2)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(20)
