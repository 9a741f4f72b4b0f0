"""Small helpers shared by the test files."""


def text(response):
    """A response's body as text (what a person's browser shows)."""
    return response.get_data(as_text=True)
