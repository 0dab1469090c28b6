"""Training-data generators behind ``toolplan build-data`` (see ``harness_ext.training.data``).

* ``phrasing``  — paraphrase rules shared by every generator (openers, synonyms, endings,
  casing, date renderings);
* ``generic``   — families driven by any ``toolplan-catalog/1`` file: tool knowledge,
  single- and two-tool question→plan requests, execution traces;
* ``assetops``  — richer AssetOpsBench templates (IoT, FMSR, TSFM, work orders,
  multi-agent), used when the catalog is ``assetops_23``, and entity-swapped
  paraphrases of gold plans of training scenarios.

Every generator takes a ``random.Random`` and is deterministic for its seed; none reads
a hub model or anything under the shared data folder except scenario texts and gold
plans that the caller passes in.
"""
