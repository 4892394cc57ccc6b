"""A CKAN server the tests start on the test database, and always stop.

One process (``ckan run``, as a developer runs it) or several worker
processes (gunicorn, as production runs it), with CSRF protection on.
"""
from __future__ import annotations

import configparser
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
BIN = os.path.dirname(sys.executable)
WSGI = """import os
from ckan.cli import load_config
from ckan.config.middleware import make_app
application = make_app(load_config(os.environ["CKAN_INI"]))
"""


def _same_services() -> dict[str, str]:
    """The database and Redis the tests use (this process's configuration:
    test.ini, the environment, the pytest-xdist worker's own)."""
    from ckan.common import config

    return {key: str(config[key]) for key in ("sqlalchemy.url", "ckan.redis.url")
            if config.get(key)}


def _overriding(settings: dict[str, str]) -> set[str]:
    """The environment variables CKAN would read instead of these settings."""
    try:
        from ckan.config.environment import CONFIG_FROM_ENV_VARS
    except ImportError:
        return set()
    return {var for key, var in CONFIG_FROM_ENV_VARS.items() if key in settings}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"CKAN server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as res:
                if res.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling the server's status URL until it answers
    raise RuntimeError(f"CKAN server did not answer at {url} in {seconds}s")


def _write_ini(workdir: str, settings: dict[str, str]) -> str:
    """A whole copy of test.ini (CKAN 2.11 reads its logging sections from
    the file it runs with) with ``settings`` set, in ``workdir``."""
    ini = os.path.join(workdir, "server.ini")
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read(os.path.join(ROOT, "test.ini"))
    for key, value in {**_same_services(), **settings}.items():
        parser.set("app:main", key, value)
    with open(ini, "w") as f:
        parser.write(f)
    return ini


def _environment(ini: str, settings: dict[str, str]) -> dict[str, str]:
    """This process's environment for a CKAN process on ``ini``: CKAN lets
    CKAN_SQLALCHEMY_URL and the like win over the file, so the process is
    given the values in the file, and none of those."""
    overriding = _overriding({**_same_services(), **settings})
    env = {k: v for k, v in os.environ.items() if k not in overriding}
    return {**env, "CKAN_INI": ini}


@contextlib.contextmanager
def _running(command: list[str], workdir: str, ini: str, settings: dict[str, str],
             up: str | None = None) -> Iterator[str]:
    """Run ``command`` in its own process group, its output in
    ``workdir/server.log`` (the path yielded); stop it (and remove
    ``workdir``) after. ``up``: a URL to wait for first."""
    log_path = os.path.join(workdir, "server.log")
    log = open(log_path, "w")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, env=_environment(ini, settings))
    try:
        if up:
            _wait_until_up(up, proc)
        yield log_path
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def serve(workers: int = 0, **options: str) -> Iterator[str]:
    """The base URL of a CKAN server running this extension, with ``options``
    set in its configuration; ``workers``: that many gunicorn processes."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = tempfile.mkdtemp(prefix="crowdsource-served-")
    # served at this port with CSRF protection on
    settings = {"ckan.site_url": base, "WTF_CSRF_ENABLED": "true", "testing": "false",
                **options}
    ini = _write_ini(workdir, settings)
    if workers:
        with open(os.path.join(workdir, "crowdsource_wsgi.py"), "w") as f:
            f.write(WSGI)
        command = [os.path.join(BIN, "gunicorn"), "--workers", str(workers),
                   "--bind", f"127.0.0.1:{port}", "--chdir", workdir, "--timeout", "120",
                   "--backlog", "2048", "crowdsource_wsgi:application"]
    else:
        command = [os.path.join(BIN, "ckan"), "-c", ini, "run", "--host", "127.0.0.1",
                   "--port", str(port), "--disable-reloader"]
    with _running(command, workdir, ini, settings, up=f"{base}/api/3/action/status_show"):
        yield base


@contextlib.contextmanager
def ckan_command_env(**options: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """``(["ckan", "-c", INI], environment)`` to run CKAN commands with, on
    the tests' database and Redis, ``options`` set in their configuration."""
    workdir = tempfile.mkdtemp(prefix="crowdsource-command-")
    settings = {"testing": "false", **options}
    try:
        ini = _write_ini(workdir, settings)
        yield [os.path.join(BIN, "ckan"), "-c", ini], _environment(ini, settings)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def jobs_worker(*queues: str, **options: str) -> Iterator[str]:
    """A CKAN background job worker (``ckan jobs worker QUEUES``) on the
    tests' database and Redis, with ``options`` set in its configuration;
    yields the path of its log. Stopped after."""
    workdir = tempfile.mkdtemp(prefix="crowdsource-worker-")
    settings = {"testing": "false", **options}
    ini = _write_ini(workdir, settings)
    command = [os.path.join(BIN, "ckan"), "-c", ini, "jobs", "worker", *queues]
    with _running(command, workdir, ini, settings) as log_path:
        yield log_path


def readers_with_tokens(n: int) -> list[str]:
    """n new readers' API tokens."""
    from ckan.tests import factories, helpers

    tokens = []
    for _ in range(n):
        user = factories.User()
        tokens.append(helpers.call_action("api_token_create", context={"user": user["name"]},
                                          user=user["name"], name="t")["token"])
    return tokens


def post_all(base: str, action: str, bodies: list[dict[str, Any]],
             tokens: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """Call the action once per token, the requests let go at the same
    moment (body ``bodies[i]`` with ``tokens[i]``); (status, answer) of each."""
    import json
    import threading
    import urllib.error
    from concurrent.futures import ThreadPoolExecutor

    start = threading.Barrier(len(tokens))

    def one(i: int) -> tuple[int, dict[str, Any]]:
        req = urllib.request.Request(
            f"{base}/api/3/action/{action}", data=json.dumps(bodies[i]).encode(),
            headers={"Content-Type": "application/json", "Authorization": tokens[i]})
        start.wait()
        try:
            with urllib.request.urlopen(req, timeout=120) as res:
                return res.status, json.loads(res.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(one, range(len(tokens))))


def statuses(results: list[tuple[int, Any]]) -> dict[int, int]:
    """How many answers had each HTTP status."""
    counts: dict[int, int] = {}
    for status, _ in results:
        counts[status] = counts.get(status, 0) + 1
    return counts
