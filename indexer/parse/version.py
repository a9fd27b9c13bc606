"""The version of the parser's rules.

Bump it whenever a change to `indexer/parse/` (or to what it relies on: sources
cleaning, the person roster) can change a record.  The index manifest records the
version each session was parsed with, and `minutes index` re-parses the files read
by an older parser, so users get the fixes without deleting anything.
"""

PARSER_VERSION = 5
