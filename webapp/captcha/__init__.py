"""Captcha: stateless challenges any worker can check, each usable once."""
