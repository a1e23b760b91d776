"""An HTML template for `dvc plots show` that renders offline: Vega, Vega-Lite and vega-embed inlined.

DVC's own page loads the three libraries from a CDN, so `dvc plots show`
draws nothing without network. This template carries them, bundled by
vl-convert-python (no network), and leaves out DVC's ``{scripts}``
placeholder, so DVC adds no CDN tag. DVC fills ``{plot_divs}`` with one
``<div>`` and a ``vegaEmbed(...)`` call per plot, which find the libraries
on ``window``. The report stage writes it to paths.PLOTS_TEMPLATE, and
.dvc/config (``plots.html_template``) points a plain `dvc plots show` at it.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version

import vl_convert

VEGA_LITE_VERSION = "5.21"
"""DVC's plot templates declare Vega-Lite v5 specs; the newest v5 vl-convert bundles."""
PLACEHOLDERS = ("{plot_divs}", "{refresh_tag}")
GLOBALS = "window.vegaEmbed = vegaEmbed;\nwindow.vega = vega;\nwindow.vegaLite = vegaLite;\n"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{refresh_tag}
<title>DVC plots</title>
<!-- Written by the report stage (pipeline/report/vega.py): Vega {vega}, Vega-Lite {vega_lite} and
vega-embed {embed}, inlined by vl-convert-python {vl_convert}, so the page draws without network. -->
<script>
__BUNDLE__
</script>
<style>
  body {{ font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 1.5rem; }}
  body > div {{ margin: 0 0 2rem; }}
</style>
</head>
<body>
{plot_divs}
</body>
</html>
"""


@cache
def _bundle() -> str:
    """The libraries on ``window``, where DVC's embed calls find them; some seconds, once per process."""
    return vl_convert.javascript_bundle(GLOBALS, vl_version=VEGA_LITE_VERSION)


def plots_template() -> str:
    """The template's text. DVC fills placeholders with str.replace, and an inline script ends at the first
    ``</script``: the bundle must hold neither."""
    bundle = _bundle()
    clashes = [p for p in (*PLACEHOLDERS, "{scripts}", "</script") if p in bundle.lower()]
    if clashes:
        raise ValueError(f"the Vega bundle contains DVC's placeholder(s) {clashes}; the template would break")
    page = PAGE.format(
        vega=vl_convert.get_vega_version(),
        vega_lite=VEGA_LITE_VERSION,
        embed=vl_convert.get_vega_embed_version(),
        vl_convert=version("vl-convert-python"),
        refresh_tag="{refresh_tag}",
        plot_divs="{plot_divs}",
    )
    return page.replace("__BUNDLE__", bundle)
