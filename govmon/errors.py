"""The one exception tree of govmon.

    GovmonError                 anything govmon raises on purpose
    ├── ConfigError             a bad settings/sites/profile file: names file and field
    │   └── ProfileError        a profile rule that does not validate
    ├── StorageError            the database cannot be opened or migrated
    ├── CrawlError              a crawl could not run at all (not a page failure)
    └── NotImplementedYet       a command that a later release fills in

Page-level failures (timeouts, WAF challenges, limits) are not exceptions: they
become ``unknown`` detections through one mapping table in the crawler.
The CLI turns a GovmonError into one line on stderr and exit code 1 (2 for
configuration/usage errors), never a traceback.
"""

from __future__ import annotations


class GovmonError(Exception):
    exit_code = 1


class ConfigError(GovmonError):
    """A configuration file is wrong; the message names the file and the field."""

    exit_code = 2


class ProfileError(ConfigError):
    pass


class StorageError(GovmonError):
    pass


class CrawlError(GovmonError):
    pass


class NotImplementedYet(GovmonError):
    """A command that exists in the design but not yet in this release."""

    exit_code = 3
