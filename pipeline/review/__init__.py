"""Human review: status counts, post-editing effort, the interactive review and the HTML report.

One module per job: `catalogs` (which catalogs a review reads), `status` (units and words per
review state), `effort` (post-editing metrics), `session` (the queue and the compare-and-swap save
of one action), `terminal` (the interactive review), `report` (the bilingual HTML page), and
`display` (what the terminal and the report both show).

Reads and writes PO files only (through catalog.py) and never imports Argos, stanza or torch, so
`pipeline status` starts fast. Approving an entry clears `fuzzy` and the previous msgid but keeps
the `# mt:` comment: it is provenance (which model wrote the first draft) and what post-editing
effort is measured against; `state_of` says REVIEWED for any non-fuzzy translated entry.
"""
