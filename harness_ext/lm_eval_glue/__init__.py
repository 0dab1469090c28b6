"""Everything lm-eval imports: task loaders (``!function`` targets of the YAMLs), metric
aggregations and filters (registered once, in ``registrations``), the inline judge filter,
the ``toolplan-hf`` model, the ``toolplan-agent`` model (``agent_model``, the α-UMi agent)
and where our task folders are (``taskdirs``).

The only package that imports ``lm_eval`` at module level. May import every other package;
no other package imports this one except ``commands`` and ``_hook`` (by name).
"""
