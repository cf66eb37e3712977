"""Bridges to the scheduling libraries people call smtsched from (issue 17).

Each module imports its library lazily, so smtsched itself never needs them installed
(docs/integrations.md: the versions that install together)."""
