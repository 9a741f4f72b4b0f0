"""The app's Jinja environment (webapp.jinja): template globals whose keys()
is a set, so an import in a template costs no walk through the chain, with
everything a template sees unchanged."""

from collections import ChainMap

from jinja2 import DictLoader

from webapp.jinja import Environment, Globals


def test_the_app_renders_with_it(app):
    assert isinstance(app.jinja_env, Environment)
    template = app.jinja_env.get_template("cek/index.html")
    assert isinstance(template.globals, Globals)
    assert template.globals.keys() == set(ChainMap(*template.globals.maps).keys())


def test_imports_see_the_globals_and_one_added_later(app):
    env = Environment(app, loader=DictLoader({
        "m.html": "{% macro hello(who) %}{{ greeting }}, {{ who }}{% endmacro %}",
        "page.html": '{% from "m.html" import hello %}{{ hello(name) }} {{ late }}',
    }))
    env.globals["greeting"] = "Halo"
    page = env.get_template("page.html")
    env.globals["late"] = "(baru)"  # after the template was loaded: still seen
    assert page.render(name="Wira") == "Halo, Wira (baru)"
    # Globals given to one template only reach it, not the environment.
    own = env.get_template("m.html", globals={"greeting": "Selamat pagi"})
    assert "greeting" in own.globals.keys()  # noqa: SIM118 - the keys() this module makes a set
    assert env.globals["greeting"] == "Halo"
