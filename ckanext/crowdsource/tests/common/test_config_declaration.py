"""The README's configuration table matches config_declaration.yaml."""
import os
import re

import yaml

HERE = os.path.dirname(__file__)
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))


def test_readme_table_matches_declaration():
    declared = {}
    for folder in ("", "search"):  # the crowdsource and crowdsource_pgsearch plugins
        path = os.path.join(ROOT, "ckanext", "crowdsource", folder, "config_declaration.yaml")
        with open(path) as f:
            declared.update({
                o["key"]: str(o.get("default", "")).lower() if isinstance(o.get("default"), bool)
                else str(o.get("default", ""))
                for group in yaml.safe_load(f)["groups"]
                for o in group["options"]
            })
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    rows = dict(re.findall(r"^\| `(ckanext\.crowdsource\.[^`]+)` \| `([^`]*)` \|", readme, re.M))
    assert rows == declared
