"""Redis holds only caches and counters: with it gone, pages render from
PostgreSQL and writes save; when it is back, nothing needs doing.

The test runs its own Redis (not the machine's) and a served CKAN using it,
stops that Redis in the middle, and starts it again."""
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import requests
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.crowdsource.tests.served import serve

pytestmark = pytest.mark.served
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server on its own port, started and stopped by the test."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="crowdsource-redis-")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)  # waiting for the server to listen
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def own_redis():
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()
    shutil.rmtree(redis.dir, ignore_errors=True)


def test_pages_render_and_writes_save_while_redis_is_down(clean_db, own_redis):
    org = factories.Organization()
    ds = factories.Dataset(owner_org=org["id"], title="City Maps")
    reader = factories.User()
    token = helpers.call_action("api_token_create", context={"user": reader["name"]},
                                user=reader["name"], name="t")["token"]
    pages = ["/", "/dataset/", f"/dataset/{ds['name']}", "/crowdsource/tasks",
             "/crowdsource/questions", "/crowdsource/tags", "/crowdsource/requests",
             "/crowdsource/leaderboard?period=30d", f"/user/{reader['name']}/contributions",
             f"/api/3/action/package_show?id={ds['id']}",
             "/api/3/action/package_search?q=maps"]
    with serve(workers=1, **{"ckan.redis.url": own_redis.url}) as base:
        api = requests.Session()
        api.headers["Authorization"] = token

        def comment(body: str) -> requests.Response:
            return api.post(f"{base}/api/3/action/crowdsource_post_create",
                            json={"package_id": ds["id"], "body": body})

        for path in pages:  # warm: results kept in Redis
            assert requests.get(base + path).status_code == 200, path
        assert comment("before the outage").status_code == 200

        own_redis.stop()
        for path in pages:
            assert requests.get(base + path).status_code == 200, path
        res = comment("during the outage")
        assert res.status_code == 200, res.text
        assert res.json()["success"]

        own_redis.start()  # empty: kept results and counters are gone, which is fine
        for path in pages:
            assert requests.get(base + path).status_code == 200, path
        assert comment("after the outage").status_code == 200

    saved = model.Session.execute(sa.text(
        "SELECT body FROM crowdsource_post WHERE package_id = :id"), {"id": ds["id"]})
    assert sorted(saved.scalars()) == ["after the outage", "before the outage",
                                       "during the outage"]
