"""Headless subcommands; each module registers its parsers in ``register()``."""
