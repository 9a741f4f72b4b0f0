"""Usulan: a signed-in citizen proposes a household for social assistance."""
