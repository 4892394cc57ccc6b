"""The XSS and template-injection corpus of ``test_xss.py``.

Each payload is a template with ``{js}`` (a statement that, if it ever runs,
sets ``window.__xss_<id>``), ``{alert}`` (an ``alert`` naming the payload)
and ``{hx}`` (a path that, if htmx ever requests it, names the payload).
So whatever runs leaves proof the test can read: a global flag, an alert, a
request in the page's resource timing, or an element with a live attribute
that carries the payload's id.

Template injections carry no script: their proof is their result, ``49``
(or ``7777777`` for ``7*'7'``), appearing where the text was planted. No
payload contains ``49`` itself (checked by :func:`corpus`).
"""
from __future__ import annotations

from dataclasses import dataclass

# what an evaluated template injection prints
TEMPLATE_RESULTS = ("49", "7777777")
# the name every proof carries: a flag, an alert, an attribute, a request
PROOF = "__xss_"
HX_PATH = "/api/3/action/status_show?xsshx="


@dataclass(frozen=True)
class Payload:
    """One payload: ``id`` (``p01``...), what it tries, and its text."""

    id: str
    name: str
    text: str

    @property
    def flag(self) -> str:
        """The global a script of this payload would set."""
        return PROOF + self.id


# (name, template): the order gives the ids p01, p02, ... (skipping p49)
TEMPLATES: tuple[tuple[str, str], ...] = (
    # plain script, in every spelling
    ("script tag", "<script>{js}</script>"),
    ("script tag with alert", "<script>{alert}</script>"),
    ("script in upper case, spaced", "<SCRIPT >{js}</SCRIPT >"),
    ("full-width script tag", "＜script＞{js}＜/script＞"),
    # event handlers
    ("img onerror", "<img src=x onerror={js}>"),
    ("img onerror, quoted alert", "<img src=\"x\" onerror=\"{alert}\">"),
    ("svg onload", "<svg onload={js}>"),
    ("svg script", "<svg><script>{js}</script></svg>"),
    ("svg animate onbegin", "<svg><animate onbegin={js} attributeName=x dur=1s>"),
    ("body onload", "<body onload={js}>"),
    ("input autofocus onfocus", "<input autofocus onfocus={js}>"),
    ("details ontoggle", "<details open ontoggle={js}>"),
    ("math with a javascript link", "<math><maction actiontype=statusline "
                                    "xlink:href=javascript:{js}>m</maction></math>"),
    ("mXSS through noscript", "<noscript><p title=\"</noscript><img src=x onerror={js}>\">"),
    # breaking out of an attribute or of an element whose text is raw
    ("attribute breakout, double quote", "\" autofocus onfocus=\"{js}\" x=\""),
    ("attribute breakout to a tag", "\"><img src=x onerror={js}>"),
    ("attribute breakout, single quote", "' onmouseover='{js}' autofocus onfocus='{js}"),
    ("attribute breakout to svg, single quote", "'><svg onload={js}>"),
    ("backtick attribute", "` onmouseover=`{js}`"),
    ("textarea breakout", "</textarea><script>{js}</script>"),
    ("title breakout", "</title><script>{js}</script>"),
    ("style breakout", "</style><img src=x onerror={js}>"),
    # URLs
    ("javascript: URL as text", "javascript:{js}"),
    ("javascript: link", "<a href=\"javascript:{js}\">j</a>"),
    ("data:text/html link", "<a href=\"data:text/html,&lt;script&gt;{js}&lt;/script&gt;\">d</a>"),
    ("entity-encoded javascript: link",
     "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{js}\">e</a>"),
    ("tab inside javascript: link", "<a href=\"java&#x09;script:{js}\">t</a>"),
    ("svg xlink javascript: link",
     "<svg><a xlink:href=\"javascript:{js}\"><text>s</text></a></svg>"),
    ("iframe srcdoc", "<iframe srcdoc=\"<script>parent.{js}</script>\"></iframe>"),
    ("object data javascript:", "<object data=\"javascript:{js}\"></object>"),
    ("form action javascript:", "<form action=\"javascript:{js}\"><button>f</button></form>"),
    ("base href javascript:", "<base href=\"javascript:{js}//\">"),
    # markdown
    ("markdown javascript: link", "[click](javascript:{js})"),
    ("markdown entity-encoded javascript: link", "[click](&#106;avascript:{js})"),
    ("markdown data: link", "[click](data:text/html,<script>{js}</script>)"),
    ("markdown image breakout", "![x](x\" onerror=\"{js})"),
    ("markdown link title breakout", "[x](http://example.org/ \"t\\\" onmouseover=\\\"{js}\")"),
    ("markdown autolink javascript:", "<javascript:{js}>"),
    # htmx: live attributes in readers' text would be obeyed by the portal's htmx
    ("htmx get on load", "<div hx-get=\"{hx}\" hx-trigger=\"load\">h</div>"),
    ("htmx on load", "<div hx-on::load=\"{js}\" hx-on:htmx:load=\"{js}\">h</div>"),
    ("htmx post on load, after-request handler", "<button hx-post=\"{hx}\" hx-trigger=\"load\" "
                                    "hx-on::after-request=\"{js}\">h</button>"),
    ("htmx data- prefix", "<img data-hx-get=\"{hx}\" data-hx-trigger=\"load\" src=x>"),
    # server- and client-side template injection
    ("jinja expression", "{{7*7}}"),
    ("jinja expression, spaced", "{{ 7*7 }}"),
    ("jinja string repetition", "{{7*'7'}}"),
    ("jinja statement", "{% print(7*7) %}"),
    ("dollar expression", "${7*7}"),
    ("hash expression", "#{7*7}"),
    ("ERB expression", "<%= 7*7 %>"),
    ("constructor escape", "{{constructor.constructor('{js}')()}}"),
)


def _render(template: str, pid: str) -> str:
    js = f"window.{PROOF}{pid}=1"
    return (template.replace("{js}", js)
            .replace("{alert}", f"alert('{PROOF}{pid}')")
            .replace("{hx}", HX_PATH + pid))


def corpus() -> list[Payload]:
    """Every payload, with its proof filled in."""
    out = []
    numbers = (n for n in range(1, 1000) if not any(r in str(n) for r in TEMPLATE_RESULTS))
    for number, (name, template) in zip(numbers, TEMPLATES, strict=False):
        pid = f"p{number:02d}"
        text = _render(template, pid)
        if any(result in text for result in TEMPLATE_RESULTS):
            raise AssertionError(f"payload {pid} ({name}) contains a template result")
        out.append(Payload(pid, name, text))
    return out


def is_template_injection(payload: Payload) -> bool:
    """A payload whose proof is its evaluated result rather than a script."""
    return PROOF not in payload.text and "xsshx" not in payload.text
