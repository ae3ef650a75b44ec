"""Acting on what Accalmie finds: playbooks on the client page, tasks, reply drafts, tone check.

The plain libraries are `accalmie.playbooks` (playbooks, rules, reply templates) and
`accalmie.analysis.tone_check`; this app fills them from the database and shows them.
See docs/playbooks.md and docs/tone-check.md.
"""
