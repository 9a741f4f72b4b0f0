"""The social-assistance registry (DTSEN) and the country's regions."""
