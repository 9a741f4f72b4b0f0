"""Person owns its search key: name_norm follows name on every save, so no
writer can store a name the lookup and the desa search would not find."""

from webapp.identity import normalize_name
from webapp.registry.models import Person


def test_a_saved_person_gets_the_search_key_of_their_name(db, registry_person):
    person = Person.get_by_id(registry_person.id)
    person.name = "  siti   NURHALIZA "
    person.name_norm = "something stale"
    person.save()
    stored = Person.get_by_id(person.id)
    assert stored.name_norm == normalize_name("  siti   NURHALIZA ") == Person.normalized("Siti Nurhaliza")


def test_a_new_person_needs_no_search_key_from_the_writer(db, registry_person):
    clone = Person.create(nik="3276061508900999", name="Budi  santoso", birth_date=registry_person.birth_date,
                          sex=registry_person.sex, household=registry_person.household,
                          desa=registry_person.desa, relationship="Anak")
    assert Person.get_by_id(clone.id).name_norm == normalize_name("Budi santoso")
