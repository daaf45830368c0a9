"""The knowledge base core: articles from files, retrieval, grounding of drafts, canned replies.

Headless and storage-agnostic: parsing (:mod:`.parsing`), the PII screen on
import (:mod:`.importer`), query building and BM25 retrieval over the store's
full-text index (:mod:`.retrieval`, :mod:`.terms`, :mod:`.synonyms`), the
passages and citations of a grounded draft (:mod:`.grounding`) and macros
(:mod:`.macros`). The service wires it to the vault and the PII engine.
"""
