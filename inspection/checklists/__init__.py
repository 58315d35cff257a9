"""Checklists: the built-in content, versioned templates and compliance rules."""
