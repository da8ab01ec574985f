"""Data only: the tone-check phrases, one <lang>.toml per language (schema at the top of en.toml)."""
