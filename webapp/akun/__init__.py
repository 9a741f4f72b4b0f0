"""Citizen accounts: registration, e-mail code, KTP photo and selfie, sign-in."""
