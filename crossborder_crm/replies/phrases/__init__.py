"""Reply phrase catalogs, one TOML file per language (data, read by replies.phrasebook)."""
