"""Data only: one complaint lexicon per language (<lang>.toml) and the shared rules.toml."""
