"""What a worker keeps in memory of its own accord (lines, pieces of HTML,
checked cookies): at most `limit` entries, then it starts again. Simpler
than an LRU and as good where nearly every entry is asked for again soon or
never; each owner says what its keys must name and what drops it."""


class Kept(dict):
    def __init__(self, limit):
        super().__init__()
        self.limit = limit

    def keep(self, key, value):
        """Stores and returns `value`; a full store is emptied first."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
