"""Sanggahan: a citizen objects to a listed recipient, or withdraws themself."""
