"""Textual screens and widgets. The only package allowed to import textual."""
