"""CKAN's own interface strings that readers and librarians meet on a
Chinese portal, carried by this extension's catalogue.

CKAN's ``zh_Hans_CN`` catalogue leaves many strings of the pages our readers
use untranslated (Skip to main content, the header's accessible names, the
403 hint, the resource page, the activity stream), translates some wrongly
(Log in as 登陆, News feed as itself), and CKAN shows some English it never
marks for translation (werkzeug's error names, activity types, resource
field names, the footer's Open Data logo). Flask-Babel merges the plugins'
catalogues after CKAN's, so a string translated here wins; the strings CKAN
never marks are translated by this extension's template overrides and the
``format_resource_items`` helper, which look them up here.

The functions below only mark strings for ``extract_messages``; nothing
calls them at run time. Beside the untranslated ones, a few that CKAN's
catalogue gets wrong are here too (Log in, Register, Follow, Social...).
"""
from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - Babel's keyword for a marked string
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


# The page frame: header, breadcrumb, footer, search form.
FRAME = (
    N_("Skip to main content"), N_("Navigate to Home - {site_title}"), N_("Breadcrumb"),
    N_("Account"), N_("Profile settings"), N_("View dashboard"), N_("Submit"),
    N_("Search datasets"), N_("CKAN Association"), N_("Open Data"),
    N_('<strong>Powered by</strong> <a class="hide-text ckan-footer-logo" '
       'href="http://ckan.org">CKAN</a>'),
    N_("Log in"), N_("Register"), N_("Placeholder"),
)

# Error pages: werkzeug's names and descriptions, and CKAN's login hint.
ERRORS = (
    N_("Bad Request"), N_("Unauthorized"), N_("Forbidden"), N_("Not Found"),
    N_("Method Not Allowed"), N_("Conflict"), N_("Too Many Requests"),
    N_("Internal Server Error"), N_("Internal server error"),
    N_("The browser (or proxy) sent a request that this server could not understand."),
    N_("You don't have the permission to access the requested resource. It is either "
       "read-protected or not readable by the server."),
    N_("The requested URL was not found on the server. If you entered the URL manually "
       "please check your spelling and try again."),
    N_("The method is not allowed for the requested URL."),
    N_("The server encountered an internal error and was unable to complete your request. "
       "Either the server is overloaded or there is an error in the application."),
    N_("You might need to login to access this page."), N_("Click here to login"),
)

# Dataset lists, facets, the dataset and resource pages, their states.
DATASETS = (
    N_("Navigate to dataset: {title}"), N_("Navigate to resource: {name}"),
    N_("Navigate to resource: {name_or_id}"), N_("Current resource: {name}"),
    N_("Resource URL: {url}"), N_("Dataset description:"), N_("Data last updated"),
    N_("Metadata last updated"), N_("Filter by: {title}"),
    N_("Search datasets by {name}: {label}"), N_("Open details page for {name}"),
    N_("active"), N_("deleted"), N_("draft"), N_("Created"), N_("Field"), N_("Value"), N_("Key"),
    N_("Please select the license"),
    N_('The <i>data license</i> you select above only applies to the contents of any '
       'resource files that you add to this dataset. By submitting this form, you agree to '
       'release the <i>metadata</i> values that you enter into the form under the <a '
       'href="http://opendatacommons.org/licenses/odbl/1-0/">Open Database License</a>.'),
    N_("Creative Commons Attribution"), N_("Creative Commons Attribution Share-Alike"),
    N_("Creative Commons CCZero"), N_("Creative Commons Non-Commercial (Any)"),
    N_("GNU Free Documentation License"), N_("Open Data Commons Attribution License"),
    N_("Open Data Commons Open Database License (ODbL)"),
    N_("Open Data Commons Public Domain Dedication and License (PDDL)"),
    N_("UK Open Government Licence (OGL)"),
    ngettext("{num} Member", "{num} Members", 1),
    N_("There are currently no groups for this site."),
)

# The names CKAN gives a resource's own fields on its page (lower case, with
# spaces, as ``format_resource_items`` makes them), and yes and no.
RESOURCE_FIELDS = (
    N_("id"), N_("package id"), N_("position"), N_("has views"), N_("url type"),
    N_("mimetype"), N_("mimetype inner"), N_("size"), N_("hash"), N_("state"),
    N_("cache url"), N_("cache last updated"), N_("datastore active"), N_("resource type"),
    N_("Yes"), N_("No"),
)

# Users, dashboards and the activity stream.
PEOPLE = (
    N_("This information is visible to you and admins"), N_("News feed"),
    N_("Followers"), N_("Follow"), N_("Unfollow"), N_("Social"),
    N_("Activity occurred on: {time}"), N_("Activity from:"), N_("All activity types"),
    N_("No activity found"), N_("No activity found for this type"), N_("Search followee"),
    N_("Profile picture"), N_("Profile picture URL"), N_("eg. Joe Bloggs"), N_("Joe Bloggs"),
    N_('You can use <a href="#markdown" title="Markdown quick reference" '
       'data-bs-toggle="popover" data-bs-content="%(markdown_tooltip)s" '
       'data-bs-html="true">Markdown formatting</a> here'),
    N_("new package"), N_("changed package"), N_("deleted package"),
    N_("new resource view"), N_("changed resource view"), N_("deleted resource view"),
    N_("new organization"), N_("changed organization"), N_("deleted organization"),
    N_("new group"), N_("changed group"), N_("deleted group"), N_("new user"),
    N_("changed user"), N_("follow dataset"), N_("follow user"), N_("follow group"),
    N_("follow organization"),
)
