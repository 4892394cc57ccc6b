"""The alembic environment shared by this distribution's plugins.

Each plugin's ``migration/<plugin>/env.py`` calls :func:`run` with its folder;
the folder's name is the plugin's name, and its revision state is kept in the
table ``<plugin>_alembic_version`` so that it never touches CKAN core's.
"""
from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool


def run(env_file: str) -> None:
    config = context.config
    if config.config_file_name:
        fileConfig(config.config_file_name)
    version_table = f"{os.path.basename(os.path.dirname(env_file))}_alembic_version"
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=None,
            literal_binds=True,
            version_table=version_table,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=None, version_table=version_table
        )
        with context.begin_transaction():
            context.run_migrations()
