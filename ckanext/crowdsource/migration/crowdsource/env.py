"""Alembic environment of this plugin's migrations (see common/migration_env.py)."""
from ckanext.crowdsource.common.migration_env import run

run(__file__)
