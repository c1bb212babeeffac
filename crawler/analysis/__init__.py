"""Pure page analysers: functions of (url, decoded html) that return facts.

They run inside the spider, on saved pages and in tests alike, so none of them
does I/O.  HTML is parsed with selectolax's lexbor backend only
(``selectolax.parser`` is gone in selectolax 1.0).
"""
