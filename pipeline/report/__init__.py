"""The HTML and Markdown reports (templates, sections, rendering)."""
