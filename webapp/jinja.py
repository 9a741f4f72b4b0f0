"""The Jinja environment of the app: Flask's, with template globals whose
keys() is a set.

Jinja chains each template's globals to the environment's (a ChainMap), and
every `{% from "…" import … %}` of a render asks which of the caller's
globals the imported template lacks: `ctx.globals_keys - globals.keys()`.
A ChainMap's keys() is a view that set arithmetic walks in Python, one
lookup through every map for each of the ~40 globals (Flask's, Babel's,
ours) — ~15 % of rendering a lookup answer, which makes two such imports.
A set of the same keys gives the same difference in C. Lookups still go
through the chain, so a global added later is seen as before."""

from collections import ChainMap

from flask.templating import Environment as FlaskEnvironment


class Globals(ChainMap):
    def keys(self):
        return set().union(*self.maps)


class Environment(FlaskEnvironment):
    def make_globals(self, d):
        return Globals(d if d is not None else {}, self.globals)
