"""
The formats soapbill reads and writes.

Each format lives in its own module, imported on its own:
:mod:`soapbill.formats.json` is soapbill's strict JSON format (the four
functions are also available from :mod:`soapbill` itself). Formats render what
the models hold; they never decide anything.

.. versionadded:: 0.1.0
"""

__all__: list[str] = []
