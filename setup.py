"""Build hooks that pyproject.toml cannot express: Babel catalogue settings.

The ``.mo`` files are compiled by ``python setup.py compile_catalog`` (the
Makefile's install step runs it) so that the shipped zh_CN translation works.
"""
from setuptools import setup

setup(
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
