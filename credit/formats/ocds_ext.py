"""Our OCDS extension for what a bid says beyond the bids extension, read by the OCDS reader and
written by the export (credit.formats.export_ocds), so both use the same fields.

OCDS 1.1 and its bids extension give a bid its tenderers, value, date, status and documents,
and a party its contactPoint (name, telephone, e-mail). They have no field for who prepared a
bid, who was entrusted with it, its project team, where its deposit came from, the machine that
uploaded it or its file's fingerprint, nor an identity number for a contact person; MOF Order
No. 87 Art. 37 needs all of them. These fields are added to `bids.details[]`:

- `preparer`, `agent`: a Party identity, `{"name", "identifier": {"scheme", "id"}}`
- `projectTeam`: `[{"role": "projectManager" | "technicalLead" | "member", "name",
  "identifier"}]`
- `deposit`: `{"accountNumber", "holder": {"name", "identifier"?}}`
- `submissionDevices`: `[{"type": "macAddress" | "ipAddress" | "documentAuthor" |
  "machineCode" | "signingCertificate", "value"}]`
- `fileFingerprint`: the hash of the bid file

and to `ContactPoint`: `identifier` (`{"scheme", "id"}`), the contact person's identity.
Identifiers use `CN-USCC` (org-id.guide) for organisations and `CHN-IDCARD` for people (BODS's
`{ISO 3166-1 alpha-3}-IDCARD` form for personal identifiers), so a person named in a bid is the
same node as the person in a BODS statement.
"""

from __future__ import annotations

from typing import Any

from credit.domain.identifiers import (
    USCC_SCHEME,
    IdentifierError,
    validate_identity_number,
    validate_uscc,
)
from credit.formats.bods import PERSON_SCHEME
from credit.formats.common import clip, obj, objects

TEAM_ROLES = {
    "projectManager": "PROJECT_MANAGER",
    "technicalLead": "TECHNICAL_LEAD",
    "member": "MEMBER",
}
DEVICE_TYPES = {
    "macAddress": "MAC",
    "ipAddress": "IP",
    "documentAuthor": "AUTHOR",
    "machineCode": "MACHINE_CODE",
    "signingCertificate": "CA_CERT",
}
_OURS_TEAM = {v: k for k, v in TEAM_ROLES.items()}
_OURS_DEVICE = {v: k for k, v in DEVICE_TYPES.items()}

Record = dict[str, Any]


# -- reading ----------------------------------------------------------------------------------


def party_ref(identity: Any) -> tuple[Record | None, Record | None]:
    """An identity as our party reference, and the person record it names (None for an
    organisation, or when the identifier is not a valid USCC or identity number)."""
    ident = obj(obj(identity).get("identifier"))
    value = str(ident.get("id") or "").strip().upper()
    try:
        if ident.get("scheme") == USCC_SCHEME:
            return {"org": validate_uscc(value)}, None
        if ident.get("scheme") == PERSON_SCHEME:
            number = validate_identity_number(value)
            name = clip(obj(identity).get("name"), 200) or number[-4:]
            return {"person": number}, {"type": "person", "id_number": number, "name": name}
    except IdentifierError:
        return None, None
    return None, None


def read_bid(bid: Record) -> tuple[Record, list[Record]]:
    """The extension fields of one OCDS bid as our bid fields, and the people they name."""
    fields: Record = {}
    people: list[Record] = []

    def ref(identity: Any) -> Record | None:
        found, person = party_ref(identity)
        if person is not None:
            people.append(person)
        return found

    for key in ("preparer", "agent"):
        if (found := ref(bid.get(key))) is not None:
            fields[key] = found
    team = []
    for member in objects(bid.get("projectTeam")):
        found = ref(member)
        role = TEAM_ROLES.get(str(member.get("role")))
        if found is not None and "person" in found and role:
            team.append({"role": role, "person": found})
    if team:
        fields["team"] = team
    deposit = obj(bid.get("deposit"))
    account = clip(deposit.get("accountNumber"), 100)
    if account:
        fields["deposit_account"] = account
        holder = obj(deposit.get("holder"))
        if (found := ref(holder)) is not None:
            fields["deposit_holder"] = found
        if name := clip(holder.get("name"), 200):
            fields["deposit_holder_name"] = name
    devices = [
        {"kind": DEVICE_TYPES[str(d.get("type"))], "value": value}
        for d in objects(bid.get("submissionDevices"))
        if str(d.get("type")) in DEVICE_TYPES and (value := clip(d.get("value"), 100))
    ]
    if devices:
        fields["devices"] = devices[:10]
    if fingerprint := clip(bid.get("fileFingerprint"), 100):
        fields["file_fingerprint"] = fingerprint
    return fields, people


def contact_person(point: Any) -> tuple[Record, list[Record]]:
    """The contactPoint's `identifier` as the bid's contact person (and that person)."""
    found, person = party_ref(point)
    if found is None or person is None:
        return {}, []
    return {"contact": found}, [person]


# -- writing ----------------------------------------------------------------------------------


def identity(ref: Record | None, names: dict[str, str]) -> Record | None:
    """Our party reference (`{"org": USCC}` or `{"person": number}`) as an identity."""
    if not ref:
        return None
    if "org" in ref:
        scheme, value = USCC_SCHEME, ref["org"]
    elif "person" in ref:
        scheme, value = PERSON_SCHEME, ref["person"]
    else:
        return None
    return {"name": names.get(value, value), "identifier": {"scheme": scheme, "id": value}}


def write_bid(bid: Record, names: dict[str, str], holders: dict[str, str]) -> Record:
    """Our bid's fields that OCDS has no place for, as the extension fields; `holders` maps an
    account number to the organisation that holds it (our organisations' bank accounts)."""
    out: Record = {}
    for key in ("preparer", "agent"):
        if found := identity(bid.get(key), names):
            out[key] = found
    team = [
        {"role": _OURS_TEAM[m["role"]], **(identity(m["person"], names) or {})}
        for m in bid.get("team", ())
    ]
    if team:
        out["projectTeam"] = team
    account = bid.get("deposit_account")
    if account:
        holder_ref = bid.get("deposit_holder") or (
            {"org": holders[account]} if account in holders else None
        )
        holder = identity(holder_ref, names) or {}
        if bid.get("deposit_holder_name"):
            holder["name"] = bid["deposit_holder_name"]
        elif not bid.get("deposit_holder"):
            holder.pop("name", None)  # our record named no holder: only the account's owner
        out["deposit"] = {"accountNumber": account, **({"holder": holder} if holder else {})}
    devices = [
        {"type": _OURS_DEVICE[d["kind"]], "value": d["value"]} for d in bid.get("devices", ())
    ]
    if devices:
        out["submissionDevices"] = devices
    if bid.get("file_fingerprint"):
        out["fileFingerprint"] = bid["file_fingerprint"]
    return out
