"""A lendable dataset in the library (``lib``, from the shared fixtures)."""
import pytest
from ckan.tests import factories

from ckanext.crowdsource.tests.helpers import as_user


@pytest.fixture
def lendable(lib):
    """Make a fresh private dataset with a resource lendable (``settings``)."""
    def make(**settings):
        ds = factories.Dataset(owner_org=lib["org"]["id"], private=True, title="Rare Maps",
                               notes="Scans of the *rare* maps.",
                               resources=[{"url": "http://example.org/rare.pdf",
                                           "name": "rare.pdf"}])
        as_user(lib["editor"], "crowdsource_lendable_set", package_id=ds["id"], **settings)
        return ds
    return make
