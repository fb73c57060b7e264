"""Sphinx configuration of the course site (``sphinx-build -c website``; the sources are generated, see sources.py).

Executed notebooks come in with their outputs, so myst-nb executes nothing. The book theme shows no launch,
repository, issue or full-screen buttons, and nothing in the site is fetched from elsewhere: the theme's assets,
the search index and MathJax (served from ``_static/mathjax``, see sphinxext.py) all ship with the site.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

project = "Machine Learning in Production"
author = "the mlip course kit"
copyright = "the lecture notebooks' authors; course material after Le Goues and Kaestner, CC BY 4.0"
language = "en"

extensions = ["myst_nb", "website.sphinxext"]
exclude_patterns = ["_notebooks", "_helpers", "_site", "**/.ipynb_checkpoints"]
templates_path = []
html_static_path = ["static"]
html_css_files = ["course.css"]
html_favicon = "static/favicon.svg"

# myst-nb: show the outputs the notebooks were run with
nb_execution_mode = "off"
nb_merge_streams = True
nb_output_stderr = "show"
nb_render_markdown_format = "myst"
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

html_theme = "sphinx_book_theme"
html_title = "Machine Learning in Production"
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_show_sphinx = False
html_use_index = False  # nothing is indexed: the search box finds pages
html_domain_indices = False
html_theme_options = {
    "home_page_in_toc": True,
    "launch_buttons": {},
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "use_source_button": False,
    "search_bar_text": "Search the course\u2026",
    "show_toc_level": 2,
    "navbar_persistent": [],
    "analytics": {},
    "pygments_light_style": "a11y-high-contrast-light",
    "pygments_dark_style": "a11y-high-contrast-dark",
}
html_context = {"default_mode": "light"}
