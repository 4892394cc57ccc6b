"""Build hooks that pyproject.toml cannot express.

Babel's message extractors, and compiling the ``.po`` catalogues into ``.mo``
files whenever the package is built, so that an installed wheel ships its
Simplified Chinese translation. (An editable install runs
``python setup.py compile_catalog``; the Makefile does.)
"""
from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        from babel.messages.frontend import compile_catalog

        cmd = compile_catalog(self.distribution)
        cmd.directory = "ckanext/crowdsource/i18n"
        cmd.domain = ["ckanext-crowdsource"]
        cmd.finalize_options()
        cmd.run()
        super().run()


setup(
    cmdclass={"build_py": BuildWithCatalogs},
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
