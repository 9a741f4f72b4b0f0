"""Cek Bansos: anyone looks up whether a person receives social assistance."""
