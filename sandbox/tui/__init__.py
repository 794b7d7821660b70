"""The Textual terminal UI: app, screens and widgets (the only package that imports Textual)."""
