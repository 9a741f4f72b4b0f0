"""What the profile page shows: own data (NIK masked), the account state with
the next step, and — only once an officer has verified the account — the
registry's view of the person and their household. Anyone can register with
someone else's NIK, so an unverified account never sees that household."""

from ..cek.services import lookup_by_nik
from ..delivery import notices_for
from ..identity import mask_name, mask_nik
from ..registry.models import Person, Region
from .models import ACTIVE, EMAIL, OFFICER, PHONE, PHOTOS, REJECTED
from .photos import photos_of
from .services import PHOTO_REASONS, REJECT_REASONS


def _address(account):
    names = []
    region = Region.get_or_none(Region.code == account.desa_code)
    while region is not None:
        names.append(region.name)
        region = region.parent
    return names  # desa, kecamatan, kabupaten, provinsi


def _members(nik):
    person = Person.get_or_none(Person.nik == nik)
    if person is None:
        return []
    rows = Person.select().where(Person.household == person.household_id).order_by(Person.id)
    return [{"name": mask_name(p.name), "relationship": p.relationship, "self": p.id == person.id}
            for p in rows]


def context(account):
    reason = REJECT_REASONS.get(account.reject_reason or "")
    verified = account.state == ACTIVE
    registry = lookup_by_nik(account.nik) if verified else None
    return {
        "account": account,
        "masked_nik": mask_nik(account.nik),
        "masked_kk": mask_nik(account.no_kk),
        "region_names": _address(account),
        "reason": reason,
        "photos": photos_of(account),
        "registry": registry,
        "photo_fix": account.reject_reason in PHOTO_REASONS,
        "members": _members(account.nik) if registry and registry.found else [],
        "notices": notices_for(account),
        "states": {"email": EMAIL, "phone": PHONE, "photos": PHOTOS, "officer": OFFICER, "active": ACTIVE,
                   "rejected": REJECTED},
    }
