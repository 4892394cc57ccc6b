"""What the benchmarks share: a fresh database, an ini for it, a CKAN app,
percentiles and timing."""
from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(*cmd: str, **kw: Any) -> None:
    subprocess.run(cmd, check=True, **kw)


def write_ini(db: str) -> str:
    """An ini like test.ini, on the benchmark's own database."""
    path = os.path.join(tempfile.mkdtemp(prefix="crowdsource-bench-"), "bench.ini")
    with open(path, "w") as f:
        f.write(
            "[app:main]\n"
            f"use = config:{os.path.join(ROOT, 'test.ini')}\n"
            f"sqlalchemy.url = postgresql://crowdsource:crowdsource@127.0.0.1:5432/{db}\n"
            "testing = false\n"
        )
    return path


def fresh_database(db: str) -> str:
    """Drop and create ``db``, migrate it, and return the path of an ini for it."""
    ini = write_ini(db)
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {db}")
    sh("bash", os.path.join(ROOT, "scripts", "services.sh"), db)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    sh(ckan, "-c", ini, "db", "upgrade", stdout=subprocess.DEVNULL)
    return ini


def ckan_app(db: str) -> Any:
    """A CKAN app (this extension's plugins) on a fresh, migrated ``db``."""
    ini = fresh_database(db)
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    return make_app(load_config(ini))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def timed(call: Callable[[], Any], runs: int, warmup: int = 10) -> tuple[float, float]:
    """(median, p95) in milliseconds of ``runs`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), percentile(times, 95)


def copy_rows(model: Any, sa: Any, table: str, template_id: str, n: int,
              exprs: dict[str, str]) -> None:
    """n copies of one row of ``table`` (``g`` numbers them from 1), with the
    columns in ``exprs`` computed: rows as their actions would have made them,
    without the cost of the actions."""
    columns = [c["name"] for c in sa.inspect(model.ensure_engine()).get_columns(table)]
    select = ", ".join(exprs.get(c, f"t.{c}") for c in columns)
    model.Session.execute(sa.text(
        f'INSERT INTO "{table}" ({", ".join(columns)}) SELECT {select} '
        f'FROM "{table}" t, generate_series(1, :n) g WHERE t.id = :id'),
        {"n": n, "id": template_id})
    model.Session.commit()


def seed_datasets(toolkit: Any, model: Any, sa: Any, n: int) -> list[str]:
    """One dataset through the actions, n - 1 copies of its row; their ids."""
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    ctx = {"user": site_user["name"], "ignore_auth": True}
    org = toolkit.get_action("organization_create")(dict(ctx), {"name": "city-library"})
    tmpl = toolkit.get_action("package_create")(dict(ctx), {
        "name": "bench-0", "title": "Bench dataset 0", "notes": "Template",
        "owner_org": org["id"], "tags": [{"name": "history"}],
        "resources": [{"url": "http://example.org/x.csv", "format": "CSV"}],
    })
    copy_rows(model, sa, "package", tmpl["id"], n - 1, {
        "id": "md5('bench' || g)::uuid::text", "name": "'bench-' || g",
        "title": "'Bench dataset ' || g"})
    rows = model.Session.execute(sa.text(
        "SELECT id FROM package WHERE name LIKE 'bench-%' "
        "ORDER BY substr(name, 7)::int")).scalars()
    return list(rows)


def index_copies(toolkit: Any, model: Any, sa: Any, ids: list[str],
                 extra: Callable[[list[str]], dict[str, dict[str, Any]]] | None = None) -> None:
    """Index documents for the copies of the first dataset: the one CKAN built
    for it, with each copy's id, name and title, plus ``extra(ids)[id]``."""
    from ckanext.crowdsource.search.connection import PgSolr

    row = model.Session.execute(sa.text(
        "SELECT doc, fields, permission_labels FROM crowdsource_search_doc WHERE id = :id"),
        {"id": ids[0]}).one()
    tmpl = {**row.fields, **row.doc, "permission_labels": row.permission_labels}
    data = json.loads(tmpl["validated_data_dict"])
    conn = PgSolr()
    site_id = toolkit.config.get("ckan.site_id")
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        more = extra(chunk) if extra else {}
        docs = []
        for n, pkg_id in enumerate(chunk, start):
            name, title = f"bench-{n}", f"Bench dataset {n}"
            pkg = {**data, "id": pkg_id, "name": name, "title": title}
            docs.append({**tmpl, "id": pkg_id, "name": name, "title": title,
                         "title_string": title,
                         "index_id": hashlib.md5(f"{pkg_id}{site_id}".encode()).hexdigest(),
                         "data_dict": json.dumps(pkg), "validated_data_dict": json.dumps(pkg),
                         **more.get(pkg_id, {})})
        conn.add(docs)


def vacuum(model: Any, sa: Any, *tables: str) -> None:
    with model.ensure_engine().connect() as c:
        c = c.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            c.execute(sa.text(f"VACUUM ANALYZE {table}"))


def readers(toolkit: Any, n: int, prefix: str) -> list[str]:
    """n new readers (``<prefix>-<i>``) made through the actions; their API tokens."""
    site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    tokens = []
    for i in range(n):
        user = toolkit.get_action("user_create")({"user": site, "ignore_auth": True}, {
            "name": f"{prefix}-{i}", "email": f"{prefix}-{i}@example.org",
            "password": f"bench-password-{i}"})
        tokens.append(toolkit.get_action("api_token_create")(
            {"user": user["name"]}, {"user": user["name"], "name": "bench"})["token"])
    return tokens


def call_api(base: str, token: str, action: str, body: dict[str, Any]
             ) -> tuple[int, dict[str, Any], float]:
    """POST one action over HTTP: (status, answer, milliseconds)."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        f"{base}/api/3/action/{action}", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": token})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as res:
            status, out = res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        status, out = e.code, {}
    return status, out, (time.perf_counter() - t0) * 1000


def reads(base: str, tokens: list[str], path: str, rounds: int) -> dict[str, Any]:
    """Every reader at once and without pause, only reading ``path``, for
    ``rounds`` each: what CKAN itself serves under this load, for comparison."""
    import threading
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(len(tokens))

    def reader(i: int) -> None:
        start.wait()
        for _ in range(rounds):
            req = urllib.request.Request(base + path, headers={"Authorization": tokens[i]})
            t0 = time.perf_counter()
            with urllib.request.urlopen(req, timeout=120) as res:
                res.read()
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        list(pool.map(reader, range(len(tokens))))
    return {"latencies": {"read": latencies}, "codes": {"read": {200: len(latencies)}},
            "wall": time.perf_counter() - t0}


def report(title: str, run: dict[str, Any], goal_ms: float | None = None) -> None:
    """Latencies of a concurrent run (``race``/``reads``), per kind of
    request: count, median, p95 (against ``goal_ms`` for all but reads),
    statuses, and the throughput."""
    print(f"\n{title} (4 worker processes), {run['wall']:.1f} s:")
    total = 0
    for kind, values in run["latencies"].items():
        total += len(values)
        if not values:
            continue
        med, p95 = percentile(values, 50), percentile(values, 95)
        goal = "" if kind == "read" or goal_ms is None else \
            f"(goal p95 < {goal_ms:g}: {'met' if p95 < goal_ms else 'NOT met'})  "
        print(f"{kind:8} {len(values):6} requests  median {med:7.1f} ms  p95 {p95:7.1f} ms "
              f"{goal}statuses {run['codes'][kind]}")
    print(f"throughput: {total / run['wall']:.1f} requests/s")
