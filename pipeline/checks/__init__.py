"""Quality checks on (English source, translation, language) that catch machine-translation damage.

Pure: values in, `Finding` values out. The two edges are `glossary.load_glossary` (reads the CSV)
and `msgfmt.msgfmt_findings` (runs gettext's own format check); docs/checks.md explains every rule.
One module per job: `translation` runs every check on one translation and `catalog` on every entry
of a catalog; the checks are in `controls`, `numbers`, `glossary` (terms), `language` (unchanged,
script, English left in), `typography` (punctuation, quotes) and `damage` (repetition, length);
`text` prepares the text they read and `languages` holds what each target language writes.
"""
