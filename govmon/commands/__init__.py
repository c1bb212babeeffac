"""Command functions of the govmon CLI, one module per command (registered in govmon.cli)."""
