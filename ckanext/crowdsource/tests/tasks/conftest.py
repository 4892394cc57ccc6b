"""A way to post a task in the library (``lib``, from the shared fixtures)."""
import pytest

from ckanext.crowdsource.tests.helpers import as_user


@pytest.fixture
def make_task(lib):
    def make(**kw):
        data = {"package_id": lib["ds"]["id"], "kind": "tag", "title": "Tag the maps",
                "instructions": "Give **three** tags", **kw}
        return as_user(lib["editor"], "crowdsource_task_create", **data)
    return make
