"""The course as a static website: `make site` (or ``python -m website``) builds ``build/site/``.

The pipeline, one module per step:

- :mod:`website.lectures`: what a lecture notebook says about itself (title, learning goals, the helper modules it
  imports) and the key its executed copy is cached under;
- :mod:`website.execute`: lectures whose key has no executed copy yet run through ``mlip run`` (the kit's one way to
  run a notebook), in parallel, with a figure describer in the kernel that gives every plot a text alternative;
- :mod:`website.sources`: the Sphinx source folder: the executed lectures, prepared for reading (code collapsible,
  solutions folded, alt texts), the home page with the course's structure and one page per helper module;
- ``conf.py`` and :mod:`website.sphinxext`: Sphinx with myst-nb and sphinx-book-theme, everything served from the
  site itself (MathJax too), no launch buttons, no analytics;
- :mod:`website.build`: the steps in order, and the command line.
"""
