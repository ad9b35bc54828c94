import json
from pathlib import Path

import pytest

from backend.taxonomy.registry import DATA_DIR, load_taxonomy

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "lfpse-taxonomy" / "v5"


def test_loaded_whole():
    tax = load_taxonomy()
    lfpse = [cs for cs in tax.code_systems.values() if cs.source == "lfpse-v5"]
    assert len(lfpse) == 76
    assert len(tax.code_system("ods-codes-5").codes) == 16496
    assert sum(len(cs.codes) for cs in lfpse) == 17231
    assert len([f for f in tax.fields.values() if f.source == "lfpse-v5"]) == 147
    assert [c.code for c in tax.code_system("event-types").codes] == ["incident", "poor_outcome", "risk", "good_care"]
    assert tax.code_system("level-of-physical-harm-5").label("1") == "Fatal"
    assert tax.code_system("yes-no-unknown-codes-5").unknown_code == "u"
    assert tax.code_system("level-of-physical-harm-5").unknown_code is None


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not beside this checkout")
@pytest.mark.parametrize("name", ["code-systems.json", "fields.json", "ods-codes.json"])
def test_copy_matches_shared(name):
    assert json.loads((DATA_DIR / name).read_text()) == json.loads((SHARED / name).read_text())


def test_attribution_kept():
    text = (DATA_DIR / "LFPSE-V5-SOURCE.md").read_text()
    assert "Apache-2.0" in text and "cuperman007/lfpse-taxonomy" in text


def test_api_lists_code_systems(client):
    systems = client.get("/api/v1/taxonomy/code-systems").json()
    assert len([s for s in systems if s["source"] == "lfpse-v5"]) == 76
    assert {"id": "ods-codes-5", "title": "ODS Codes", "count": 16496, "source": "lfpse-v5"} in systems


def test_api_code_system_and_search(client):
    harm = client.get("/api/v1/taxonomy/code-systems/level-of-physical-harm-5").json()
    assert [c["code"] for c in harm["codes"]] == ["5", "4", "3", "2", "1"]
    found = client.get("/api/v1/taxonomy/code-systems/ods-codes-5", params={"q": "beacon surgery"}).json()
    assert {"code": "G81019", "display": "BEACON SURGERY"} in found["codes"]
    by_code = client.get("/api/v1/taxonomy/code-systems/ods-codes-5", params={"q": "g81019"}).json()
    assert by_code["total"] == 1
    page = client.get("/api/v1/taxonomy/code-systems/ods-codes-5", params={"limit": 10, "offset": 20}).json()
    assert page["total"] == 16496 and len(page["codes"]) == 10
    assert client.get("/api/v1/taxonomy/code-systems/nope").status_code == 404


def test_api_fields(client):
    fields = {f["name"]: f for f in client.get("/api/v1/taxonomy/fields").json()}
    assert fields["PhysicalHarm"]["value_set"] == "level-of-physical-harm-5"
    assert fields["InvolvedAgents"]["min"] == 1 and fields["InvolvedAgents"]["max"] == 100
    assert fields["Description"]["source"] == "project"


def test_api_is_read_only(client):
    assert client.post("/api/v1/taxonomy/code-systems", json={}).status_code == 405
    assert client.put("/api/v1/taxonomy/code-systems/gender-5", json={}).status_code == 405


def test_the_unauthenticated_code_list_is_paged(client):
    """It returned up to 20,000 codes a call to anyone (issue 16): now a page of at most 250."""
    whole = client.get("/api/v1/taxonomy/code-systems/ods-codes-5").json()
    assert whole["total"] == 16496 and len(whole["codes"]) == 250
    assert client.get("/api/v1/taxonomy/code-systems/ods-codes-5", params={"limit": 20000}).status_code == 422
    last = client.get("/api/v1/taxonomy/code-systems/ods-codes-5", params={"limit": 250, "offset": 16400}).json()
    assert len(last["codes"]) == 96
    specialties = client.get("/api/v1/taxonomy/code-systems/specialty-5").json()
    assert specialties["total"] == len(specialties["codes"])  # the other lists still come whole

