"""Benchmark: the dataset page with every crowd feature shown, served by a
real HTTP server, next to the same page with the ``crowdsource`` plugin off.

One dataset gets, through the actions (each as the user who would act, auth
checked): 20 reader tags (given by 10 readers, so the counts differ), 30
comments (20 top-level, 10 replies), 4 questions with 2-3 answers each (2
accepted), 4 tasks (open, two with claims), and feedback: 12 ratings, 5
public requests with "me too"s, one of them answered by the library.

Two gunicorn servers (one sync worker each) run on that database: A with
``ckan.plugins`` as test.ini has it (``activity crowdsource
crowdsource_pgsearch``), B the same without ``crowdsource``
(``crowdsource_pgsearch`` stays: both need search). ``/dataset/<name>`` is
fetched anonymously and as a logged-in reader (the session cookie of a real
login through ``/user/login``, as a browser has it), from A and B in turn
(the order flips every round), after a warmup. It prints median and p95 of
each and the ratio crowdsource-on / plugin-off of the medians (the goal:
<= 1.10) and of the p95s; for information, the median of each round's own
ratio (its two requests ran back to back, so it is less disturbed by other
work on the machine) and the CPU time each worker spent on a page.

With ``--profile`` it then looks inside the page, in a process of its own
for each set of plugins (CKAN's WSGI app on the same database, the reader
by API token): the SQL statements of one page by the crowdsource function
that ran them, its Python function calls, the time of each crowdsource
template helper, and the crowdsource functions by cumulative time under
cProfile.

Usage: python bench/page.py [--rounds 300] [--warmup 30] [--profile]
It uses its own database, crowdsource_bench_page, created afresh each run,
and Redis database 15, emptied first.
"""
from __future__ import annotations

import argparse
import configparser
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from common import ROOT, fresh_database, percentile

sys.path.insert(0, ROOT)
from ckanext.crowdsource.tests.served import _wait_until_up as wait_until_up  # noqa: E402

DB = "crowdsource_bench_page"
REDIS = "redis://127.0.0.1:6379/15"
NAME = "bench-page"
PASSWORD = "bench-password-1"
READERS = 16
TAGS = ["古籍", "善本", "地方志", "家谱", "老照片", "报纸", "期刊", "地图", "碑刻", "档案",
        "history", "maps", "genealogy", "photographs", "newspapers", "manuscripts",
        "local-history", "architecture", "education", "statistics"]
PLUGINS_ON = "activity crowdsource crowdsource_pgsearch"
PLUGINS_OFF = "activity crowdsource_pgsearch"
WSGI = """import os
from ckan.cli import load_config
from ckan.config.middleware import make_app
application = make_app(load_config(os.environ["CKAN_INI"]))
"""


def server_ini(workdir: str, port: int, plugins: str) -> str:
    """A whole copy of test.ini (CKAN reads its logging sections from the
    file it runs with) on the benchmark's database, at this port."""
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment]
    parser.read(os.path.join(ROOT, "test.ini"))
    for key, value in {
        "sqlalchemy.url": f"postgresql://crowdsource:crowdsource@127.0.0.1:5432/{DB}",
        "ckan.redis.url": REDIS, "ckan.site_id": DB, "ckan.plugins": plugins,
        "ckan.site_url": f"http://127.0.0.1:{port}", "testing": "false",
        "WTF_CSRF_ENABLED": "true",
        # its own files and compiled assets: the test runs clean theirs
        "ckan.storage_path": os.path.join(tempfile.gettempdir(), f"{DB}-storage"),
    }.items():
        parser.set("app:main", key, value)
    path = os.path.join(workdir, f"server-{port}-{plugins.replace(' ', '-')}.ini")
    with open(path, "w") as f:
        parser.write(f)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(plugins: str) -> Iterator[tuple[str, Any]]:
    """The base URL of a gunicorn server (one sync worker) with these plugins,
    and its worker process (psutil)."""
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="crowdsource-bench-page-")
    ini = server_ini(workdir, port, plugins)
    with open(os.path.join(workdir, "bench_wsgi.py"), "w") as f:
        f.write(WSGI)
    bin_dir = os.path.dirname(sys.executable)
    log = open(os.path.join(workdir, "server.log"), "w")
    proc = subprocess.Popen(
        [os.path.join(bin_dir, "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--chdir", workdir, "--timeout", "120", "bench_wsgi:application"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "CKAN_INI": ini})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/3/action/status_show", proc, seconds=120)
        import psutil

        yield base, psutil.Process(proc.pid).children()[0]
        failed = False
    except BaseException:
        failed = True  # its log stays, for the message above
        raise
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        if not failed:
            shutil.rmtree(workdir, ignore_errors=True)


def seed(toolkit: Any) -> None:
    """The dataset, its readers and every crowd feature, through the actions
    (each as the user who would do it, auth checked)."""
    def act(user: str, action: str, **data: Any) -> Any:
        return toolkit.get_action(action)({"user": user}, data)

    site = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    admin = {"user": site, "ignore_auth": True}
    readers = []
    for i in range(READERS):
        readers.append(toolkit.get_action("user_create")(dict(admin), {
            "name": f"bench-reader-{i}", "email": f"r{i}@example.org", "password": PASSWORD,
            "fullname": f"读者 {i}"})["name"])
    staff = toolkit.get_action("user_create")(dict(admin), {
        "name": "bench-librarian", "email": "lib@example.org", "password": PASSWORD})["name"]
    org = toolkit.get_action("organization_create")(dict(admin), {"name": "city-library"})
    toolkit.get_action("organization_member_create")(
        dict(admin), {"id": org["id"], "username": staff, "role": "editor"})
    pkg = act(staff, "package_create", name=NAME, title="城市地方志 Local gazetteers",
              notes="Scans of the **city's** gazetteers, 1850-1950.", owner_org=org["id"],
              tags=[{"name": "history"}, {"name": "gazetteers"}],
              resources=[{"url": f"http://example.org/volume-{n}.pdf", "format": "PDF",
                          "name": f"Volume {n}"} for n in range(1, 4)])
    pid = pkg["id"]

    for i, reader in enumerate(readers[:10]):  # tag k given by 10 - k // 2 readers
        act(reader, "crowdsource_tag_add", package_id=pid, tag=TAGS[:20 - 2 * i])

    top = []
    for i in range(20):
        top.append(act(readers[i % READERS], "crowdsource_post_create", package_id=pid,
                       body=f"第 {i} 条评论: the **scale** of map {i} is in the legend.")["id"])
    for i in range(10):
        act(readers[(i + 3) % READERS], "crowdsource_post_create", parent_id=top[i % 5],
            body=f"回复 {i}: thank you, see page {i}.")

    for q in range(4):
        asker = readers[q]
        thread = act(asker, "crowdsource_question_create", package_id=pid,
                     title=f"问题 {q}: which edition is volume {q}?",
                     body="The title page is missing.")
        answers = [act(readers[(q + a + 5) % READERS], "crowdsource_post_create",
                       thread_id=thread["id"], body=f"答案 {a}: the 18{q}{a} edition.")["id"]
                   for a in range(2 + q % 2)]
        if q % 2 == 0:
            act(asker, "crowdsource_answer_accept", id=answers[0])

    tasks = [act(staff, "crowdsource_task_create", package_id=pid, kind=kind,
                 title=f"任务 {n}: {kind} volume {n}", instructions="Work page by page.",
                 capacity=3)["id"]
             for n, kind in enumerate(("transcribe", "tag", "describe", "verify"))]
    act(readers[0], "crowdsource_task_claim", id=tasks[0])
    act(readers[1], "crowdsource_task_claim", id=tasks[0])
    act(readers[2], "crowdsource_task_claim", id=tasks[1])

    for i in range(12):
        act(readers[i], "crowdsource_feedback_create", package_id=pid,
            kind=("praise", "suggestion", "error")[i % 3], rating=1 + (i * 7) % 5,
            body=f"反馈 {i}: the scans are {'sharp' if i % 2 else 'blurred'}.")
    requests = [act(readers[(r * 3) % READERS], "crowdsource_feedback_create", package_id=pid,
                    kind="request", title=f"请求 {r}: volume {r + 4}",
                    body=f"Please scan volume {r + 4} too.")["id"] for r in range(5)]
    for r, request_id in enumerate(requests):
        for s in range(1 + r):
            act(readers[(r * 3 + s + 1) % READERS], "crowdsource_request_second", id=request_id)
    act(staff, "crowdsource_feedback_set_status", id=requests[0], status="in_progress",
        public_answer="We are scanning it this month.")


def login(base: str, user: str) -> Any:
    """A requests session logged in through the login form, as a browser is."""
    import requests

    s = requests.Session()
    page = s.get(f"{base}/user/login").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    res = s.post(f"{base}/user/login", data={
        "login": user, "password": PASSWORD, "_csrf_token": token.group(1)},
        allow_redirects=False)
    assert res.status_code in (302, 303), (res.status_code, res.text[:300])
    return s


def fetch(session: Any, url: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    res = session.get(url)
    ms = (time.perf_counter() - t0) * 1000
    assert res.status_code == 200, (url, res.status_code)
    return ms, res.text


def check_pages(on: dict[str, tuple[Any, str]], off: dict[str, tuple[Any, str]]) -> None:
    """The page with the plugin on shows every crowd feature; off, none."""
    for who, (session, url) in on.items():
        _, html = fetch(session, url)
        for marker in ('id="reader-tags"', 'id="cs-feedback"', "Discussion (30)",
                       "Questions (4)", "Tasks (4)", "We are scanning it this month",
                       "from 12 readers", *TAGS):
            assert marker in html, (who, marker)
        if who == "reader":
            assert "Log in to add your own tags" not in html, "the reader is not logged in"
            assert "cs-metoo" in html and "cs-feedback-form" in html, who
    for who, (session, url) in off.items():
        _, html = fetch(session, url)
        assert 'id="reader-tags"' not in html, who
        assert ("Log Out" in html or "/user/_logout" in html) == (who == "reader"), who


def cpu_ms(worker: Any) -> float:
    """CPU time the worker process has used (user and system), ms."""
    t = worker.cpu_times()
    return (t.user + t.system) * 1000


def measure(rounds: int, warmup: int) -> None:
    with serve(PLUGINS_ON) as (a, worker_a), serve(PLUGINS_OFF) as (b, worker_b):
        import requests

        pages = {
            "on": {"anonymous": (requests.Session(), f"{a}/dataset/{NAME}"),
                   "reader": (login(a, "bench-reader-3"), f"{a}/dataset/{NAME}")},
            "off": {"anonymous": (requests.Session(), f"{b}/dataset/{NAME}"),
                    "reader": (login(b, "bench-reader-3"), f"{b}/dataset/{NAME}")},
        }
        workers = {"on": worker_a, "off": worker_b}
        check_pages(pages["on"], pages["off"])
        times: dict[tuple[str, str], list[float]] = {
            (side, who): [] for side in pages for who in pages[side]}
        cpu: dict[tuple[str, str], float] = dict.fromkeys(times, 0.0)
        for n in range(warmup + rounds):
            for who in ("anonymous", "reader"):
                order = ("on", "off") if n % 2 == 0 else ("off", "on")
                for side in order:
                    before = cpu_ms(workers[side])
                    ms, _ = fetch(*pages[side][who])
                    if n >= warmup:
                        times[side, who].append(ms)
                        cpu[side, who] += cpu_ms(workers[side]) - before

    print(f"\n/dataset/{NAME}, ms, one gunicorn worker each, {rounds} rounds interleaved "
          f"after {warmup} warmup rounds")
    print(f"{'who':12}{'server':24}{'median':>10}{'p95':>10}{'worker CPU/page':>18}")
    for who in ("anonymous", "reader"):
        for side, label in (("on", "crowdsource on"), ("off", "crowdsource off")):
            v = times[side, who]
            print(f"{who:12}{label:24}{statistics.median(v):10.1f}{percentile(v, 95):10.1f}"
                  f"{cpu[side, who] / rounds:18.1f}")
    for who in ("anonymous", "reader"):
        on, off = times["on", who], times["off", who]
        ratio = statistics.median(on) / statistics.median(off)
        tail = percentile(on, 95) / percentile(off, 95)
        # each round's pair of requests ran back to back: their ratio is less
        # disturbed by whatever else the machine does than medians far apart
        paired = statistics.median(x / y for x, y in zip(on, off, strict=True))
        print(f"{who}: on / off, median {ratio:.2f} (goal <= 1.10: "
              f"{'met' if ratio <= 1.10 else 'NOT met'}), p95 {tail:.2f}; "
              f"(info) median of the {rounds} rounds' ratios {paired:.2f}, "
              f"worker CPU {cpu['on', who] / cpu['off', who]:.2f}")


def profile(ini: str, runs: int) -> None:
    """In this process (CKAN's WSGI app on the benchmark's database, the
    plugins of ``ini``), anonymously and as a reader (by API token): the SQL
    statements of one page, by the crowdsource function that ran them (or
    CKAN), the Python function calls of one page and the time of each
    crowdsource template helper (ms a page, no profiler), and cProfile's
    cumulative time of the crowdsource functions."""
    import cProfile
    import pstats
    import traceback
    from collections import Counter, defaultdict

    import sqlalchemy as sa
    from ckan import model
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.lib import helpers
    from ckan.plugins import toolkit

    app = make_app(load_config(ini))
    flask_app = app._wsgi_app
    plugins = " ".join(toolkit.aslist(toolkit.config.get("ckan.plugins")))
    with flask_app.test_request_context():
        user = "bench-reader-3"
        token = toolkit.get_action("api_token_create")(
            {"user": user, "ignore_auth": True}, {"user": user, "name": "bench"})["token"]
    client = flask_app.test_client()
    mine = os.sep + os.path.join("ckanext", "crowdsource") + os.sep
    statements: Counter[str] = Counter()

    def who_ran(*_args: Any) -> None:
        # the innermost crowdsource function; its templates and the WSGI
        # wrapper hold CKAN's own work too
        for frame in reversed(traceback.extract_stack(limit=80)):
            where = frame.filename.split(mine)[-1]
            if mine in frame.filename and not where.startswith(("templates", "common/reindex")):
                statements[f"{where}:{frame.name}"] += 1
                return
        statements["CKAN"] += 1

    calls = [0]

    def count(_frame: Any, event: str, _arg: Any) -> None:
        if event in ("call", "c_call"):
            calls[0] += 1

    spent: defaultdict[str, float] = defaultdict(float)
    for name, helper in list(helpers.helper_functions.items()):
        if name.startswith("crowdsource_"):
            def timed_helper(*args: Any, _helper: Any = helper, _name: str = name,
                             **kwargs: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return _helper(*args, **kwargs)
                finally:
                    spent[_name] += time.perf_counter() - t0
            helpers.helper_functions[name] = timed_helper

    for who, headers in (("anonymous", {}), ("reader", {"Authorization": token})):
        def get(headers: dict[str, str] = headers) -> None:
            res = client.get(f"/dataset/{NAME}", headers=headers)
            assert res.status_code == 200, res.status_code

        for _ in range(10):
            get()
        statements.clear()
        sa.event.listen(model.ensure_engine(), "before_cursor_execute", who_ran)
        get()
        sa.event.remove(model.ensure_engine(), "before_cursor_execute", who_ran)
        calls[0] = 0
        sys.setprofile(count)
        get()
        sys.setprofile(None)
        print(f"\n[{plugins}] {who}: {sum(statements.values())} SQL statements, "
              f"{calls[0]:,} Python function calls in one page")
        for where, n in statements.most_common():
            print(f"    {n:4} {where}")
        spent.clear()
        t0 = time.perf_counter()
        for _ in range(runs):
            get()
        per_page = (time.perf_counter() - t0) * 1000 / runs
        print(f"[{plugins}] {who}: {per_page:.1f} ms a page ({runs} pages); "
              "crowdsource template helpers, ms a page:")
        for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"    {seconds * 1000 / runs:7.2f} {name}")
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(runs):
            get()
        prof.disable()
        print(f"[{plugins}] {who}: crowdsource functions by cumulative time under cProfile:")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(mine.replace(os.sep, "."), 25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--profile", action="store_true",
                    help="also profile the page with the plugin on (in this process)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    fresh_database(DB)
    import redis

    redis.Redis.from_url(REDIS).flushdb()  # the benchmark's own Redis database
    workdir = tempfile.mkdtemp(prefix="crowdsource-bench-page-")
    ini = server_ini(workdir, 5000, PLUGINS_ON)
    seeder = subprocess.run([sys.executable, __file__, "--seed", ini], check=False)
    if seeder.returncode:
        sys.exit(seeder.returncode)
    print(f"seeded one dataset with every crowd feature ({time.perf_counter() - t0:.1f}s)",
          flush=True)
    measure(args.rounds, args.warmup)
    if args.profile:
        for plugins in (PLUGINS_ON, PLUGINS_OFF):
            subprocess.run([sys.executable, __file__, "--profile-in",
                            server_ini(workdir, 5000, plugins)], check=True)
    shutil.rmtree(workdir, ignore_errors=True)


def seed_main(ini: str) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.plugins import toolkit

    app = make_app(load_config(ini))
    toolkit.config["ckanext.crowdsource.common.writes_per_minute"] = 0
    with app._wsgi_app.test_request_context():
        seed(toolkit)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        seed_main(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--profile-in":
        profile(sys.argv[2], 100)
    else:
        main()
