"""The console's screens: start, first run, unlock, main, search, help and dialogs."""
