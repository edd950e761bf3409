"""ansopt: a fast linter and auto-optimizer for Ansible performance."""

__version__ = "0.1.0"
