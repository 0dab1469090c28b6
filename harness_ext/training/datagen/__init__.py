"""Training-data generators behind ``toolplan build-data`` (see ``harness_ext.training.data``).

* ``phrasing``  — paraphrase rules shared by every generator (openers, synonyms, endings,
  casing, date renderings);
* ``generic``   — families driven by any ``toolplan-catalog/1`` file: tool knowledge,
  single- and two-tool question→plan requests, execution traces;
* ``assetops/`` — richer AssetOpsBench templates, one module per agent (``iot``,
  ``fmsr``, ``tsfm``, ``workorder``, ``utilities``, ``multiagent``), used when the catalog
  is ``assetops_23``, plus clarifications and entity-swapped paraphrases of gold plans
  of training scenarios;
* ``base``      — the ``Candidate`` every generator yields, the plan check, the trace
  shape and the reader of the data files.

Plans are built with ``harness_ext.planning.builder``. Entity pools, question templates
and rule tables are data: ``harness_ext/data/datagen/*.json`` (validated by
``tests/training/test_datagen_data.py``).

Every generator takes a ``random.Random`` and is deterministic for its seed; none reads
a hub model or anything under the shared data folder except scenario texts and gold
plans that the caller passes in.
"""
