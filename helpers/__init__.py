"""Online Customer Lab: the tested code behind every notebook chart.

One module per competency area (``consumption``, ``retention``, ``prospecting``,
``compliance``), plus ``data`` (the only module that reads files), ``plots``
(one theme for the whole suite) and ``exercises`` (the checking engine).
"""

__version__ = "0.1.0"
