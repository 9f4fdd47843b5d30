"""Who may run operator actions over /engine-rest (issue 14): process owners of the instance's tenant;
staff who may see an instance may not cancel, suspend, move or migrate it, and a process owner of another
tenant reaches nothing of it."""
from __future__ import annotations

from typing import Any

import pytest
from support import ADMIN, OTHER, deploy

from test_auth_rules import PO, R, basic, start

PO_PAGARALAM = ("po.pagaralam", "rahasia-po-pagaralam")


@pytest.fixture
def c(auth_app: Any) -> Any:
    from service.ops.users import create_user

    ctx = auth_app.extensions["alur"].ops
    create_user(ctx, PO[0], PO[1], groups=["process-owner"], tenants=["lahat"])
    create_user(ctx, PO_PAGARALAM[0], PO_PAGARALAM[1], groups=["process-owner"], tenants=["pagaralam"])
    client = auth_app.test_client()
    assert deploy(client, "layanan.bpmn", tenant="lahat", headers=basic(ADMIN)).status_code == 200
    return client


def test_staff_and_other_tenants_cannot_operate(c: Any) -> None:
    pid = start(c)
    definition = c.get(f"{R}/process-instance/{pid}", headers=basic(OTHER)).json["definitionId"]
    move = {"instructions": [{"type": "cancel", "activityId": "x"}]}
    plan = {"sourceProcessDefinitionId": definition, "targetProcessDefinitionId": definition, "instructions": []}
    for who in (OTHER, PO_PAGARALAM):
        assert c.put(f"{R}/process-instance/{pid}/suspended", json={"suspended": True},
                     headers=basic(who)).status_code == 403
        assert c.post(f"{R}/process-instance/{pid}/modification", json=move, headers=basic(who)).status_code == 403
        assert c.delete(f"{R}/process-instance/{pid}", headers=basic(who)).status_code == 403
    for who in (OTHER,):
        assert c.post(f"{R}/migration/generate", json={"sourceProcessDefinitionId": definition,
                                                       "targetProcessDefinitionId": definition},
                      headers=basic(who)).status_code == 403
        assert c.post(f"{R}/migration/execute", json={"migrationPlan": plan, "processInstanceIds": [pid]},
                      headers=basic(who)).status_code == 403
        assert c.post(f"{R}/process-instance/delete", json={"processInstanceIds": [pid]},
                      headers=basic(who)).status_code == 403
        assert c.put(f"{R}/process-definition/{definition}/suspended", json={"suspended": True},
                     headers=basic(who)).status_code == 403
    # another tenant's owner: the instance is outside what they may change
    refused = c.post(f"{R}/migration/execute", json={"migrationPlan": plan, "processInstanceIds": [pid]},
                     headers=basic(PO_PAGARALAM))
    assert refused.status_code == 404
    assert c.put(f"{R}/process-definition/{definition}/suspended", json={"suspended": True},
                 headers=basic(PO_PAGARALAM)).status_code == 403
    assert c.get(f"{R}/process-instance/{pid}", headers=basic(OTHER)).json["suspended"] is False
    # the tenant's own process owner may
    assert c.put(f"{R}/process-instance/{pid}/suspended", json={"suspended": True},
                 headers=basic(PO)).status_code == 204
    entry, = c.get(f"{R}/history/user-operation?processInstanceId={pid}", headers=basic(PO)).json
    assert entry["userId"] == PO[0] and entry["operationType"] == "Suspend"
    assert c.get(f"{R}/history/user-operation?processInstanceId={pid}", headers=basic(PO_PAGARALAM)).json == []
