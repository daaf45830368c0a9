"""agentconsole: an offline, encrypted, PII-masking console for support agents.

Importing the package installs the air-gap guard first, so no later import
(Presidio, spaCy, tldextract, llama.cpp) can reach the network.
"""

__version__ = "0.1.0"

from agentconsole import airgap as _airgap

_airgap.install()
