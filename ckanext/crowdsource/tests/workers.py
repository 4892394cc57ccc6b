"""The suite in several processes (pytest-xdist, ``make test`` runs two).

Each worker has a database and a Redis database of its own, so that one
worker's ``clean_db`` never empties the tables under another's test: worker
``gw0`` uses the configured ones (``test.ini``, or ``CKAN_SQLALCHEMY_URL`` and
``CKAN_REDIS_URL``), worker ``gwN`` the database ``<name>_gwN`` (made with
``scripts/services.sh`` when it is missing) and Redis database ``(d + 3N) %
16`` where ``d`` is the configured one (or ``CKAN_REDIS_URL_GWN``: runs side
by side on one machine each need Redis databases of their own). Every process (worker or not) builds
CKAN's web assets in a storage folder named after its database. They
reach CKAN as the environment variables CKAN reads over its configuration
file, set before CKAN's pytest plugin loads it; a served CKAN gets the same
(``served.py``).

Every worker collects the same tests, or xdist refuses to run: a test
parametrized with ``uuid.uuid4()`` or ``random`` at import time gets the same
values in every worker of a run (seeded with the run's id while collecting).

Files are handed to the workers whole (``--dist loadgroup``, each file a
group: a module's shared server, world and tally serve all its tests), the
slowest first, so that none is left to run alone at the end; but the tests
of the files of :data:`SPLIT`, long and independent of each other, go to
whichever worker is free, one by one.
"""
from __future__ import annotations

import configparser
import contextlib
import os
import random
import subprocess
import urllib.parse
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

# The files that take longest (minutes each, on two cores), slowest first;
# the others follow in the order pytest collects them.
SLOWEST = (
    "security/test_permission_matrix.py",
    "security/test_bad_input.py",
    "security/test_xss.py",
    "e2e/",
    "common/test_redis_outage.py",
    "tasks/test_concurrency.py",
    "loans/test_concurrency.py",
    "common/test_csrf.py",
    "common/test_worker_recovers.py",
    "discussion/test_hostile_input.py",
)


def worker_number() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else None


def _configured(ini: str, key: str, variable: str) -> str:
    if os.environ.get(variable):
        return os.environ[variable]
    parser = configparser.RawConfigParser(strict=False)
    parser.read(ini)
    return parser.get("app:main", key, fallback="")


def configure(config: pytest.Config) -> None:
    """Point this worker at its own database and Redis database, and this
    process (a worker or a run without them) at a storage folder of its
    database's."""
    if getattr(config.option, "numprocesses", None) and worker_number() is None:
        return  # xdist's controller: it runs no test
    ini = os.path.abspath(config.getoption("ckan_ini") or "test.ini")
    url = sa.engine.make_url(_configured(ini, "sqlalchemy.url", "CKAN_SQLALCHEMY_URL"))
    number = worker_number()
    if number:  # the first worker keeps what is configured
        url = url.set(database=f"{url.database}_gw{number}")
        _ensure_database(url)
        os.environ["CKAN_SQLALCHEMY_URL"] = url.render_as_string(hide_password=False)
        redis = urllib.parse.urlsplit(
            _configured(ini, "ckan.redis.url", "CKAN_REDIS_URL") or "redis://localhost:6379/0")
        first = int(redis.path.strip("/") or 0)
        os.environ["CKAN_REDIS_URL"] = os.environ.get(
            f"CKAN_REDIS_URL_GW{number}",  # chosen by hand (a machine shared by runs)
            urllib.parse.urlunsplit(redis._replace(path=f"/{(first + 3 * number) % 16}")))
    # CKAN builds its web assets in the storage folder: runs on other
    # databases (other checkouts, CKAN versions, workers) building theirs
    # there at the same time made a served CKAN fail to find a bundle (500)
    storage = _configured(ini, "ckan.storage_path", "CKAN_STORAGE_PATH")
    if storage and not storage.rstrip("/").endswith(f"-{url.database}"):
        os.environ["CKAN_STORAGE_PATH"] = f"{storage.rstrip('/')}-{url.database}"


def _ensure_database(url: sa.engine.URL) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return
    except sa.exc.OperationalError as e:
        if "does not exist" not in str(e):
            raise
    finally:
        engine.dispose()
    script = os.path.join(ROOT, "scripts", "services.sh")
    done = subprocess.run(["bash", script, url.database], capture_output=True, text=True)
    if done.returncode:
        pytest.exit(f"the database {url.database} of this pytest-xdist worker is missing and "
                    f"{script} could not make it:\n{done.stderr}", returncode=4)


# Files whose tests share nothing but the saved states: split between workers.
SPLIT = (
    "discussion/test_hostile_input.py",
    "tasks/test_concurrency.py",
)


def _listed(item: pytest.Item, files: tuple[str, ...]) -> int | None:
    path = "/" + item.nodeid.split("::")[0]
    return next((i for i, f in enumerate(files) if f"/tests/{f}" in path), None)


def schedule(items: list[pytest.Item]) -> None:
    """Reorder ``items`` in place, the files of :data:`SLOWEST` first, and
    put each test in its file's ``xdist_group`` (but those of :data:`SPLIT`)."""
    def rank(item: pytest.Item) -> int:
        found = _listed(item, SLOWEST)
        return len(SLOWEST) if found is None else found

    items[:] = sorted(items, key=rank)  # sorted() keeps the order within a rank
    for item in items:
        if _listed(item, SPLIT) is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@contextlib.contextmanager
def same_randomness(config: pytest.Config) -> Iterator[None]:
    """While a worker collects: ``random`` and ``uuid.uuid4`` seeded with the
    run's id, the same in every worker (and new in the next run)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        yield
        return
    seed = str(workerinput.get("testrunuid", ""))
    rng = random.Random(seed)
    collecting = [True]
    original = uuid.uuid4

    def uuid4() -> uuid.UUID:
        if collecting[0]:
            return uuid.UUID(int=rng.getrandbits(128), version=4)
        return original()

    state = random.getstate()
    random.seed(seed)
    uuid.uuid4 = uuid4
    try:
        yield
    finally:
        collecting[0] = False
        uuid.uuid4 = original
        random.setstate(state)
