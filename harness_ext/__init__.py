"""toolplan-eval: an lm-evaluation-harness plugin for tool-planning evaluation.

Importing this package must stay cheap: the start-up hook (``_hook``) imports it in
every Python process of an environment where the plugin is installed.
"""

__version__ = "0.1.0"
