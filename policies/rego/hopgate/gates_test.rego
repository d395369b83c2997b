package hopgate.gates_test

import data.hopgate.gates

reserve := "urn:shop:step:reserve-stock"

charge := "urn:shop:step:charge-card"

# A third hop that passes every gate: payments charges the card after stock was reserved.
allowed := {
	"version": 1,
	"hop": {"component": "spiffe://shop.example/payments", "step": charge, "method": "POST", "path": "/charge"},
	"origin": {"principal": "alice", "txn": "t1", "workload": "spiffe://shop.example/planner"},
	"authority": [charge],
	"intent": {
		"declared": true, "process": "urn:shop:process:checkout", "digest": "sha256:00",
		"steps": [reserve, charge], "edges": [{"from": reserve, "to": charge}], "prerequisites": [reserve],
	},
	"manifest": {"present": true, "performs": [charge], "does_not_perform": [], "expects_completed": []},
	"completed": [{"step": reserve, "component": "spiffe://shop.example/inventory", "at": 1, "consumed": false}],
	"started": [], "usage": {"step": charge, "count": 0}, "chain": [], "now": 2,
}

test_allows_when_every_gate_passes if {
	gates.decision == {"allow": true, "violations": set()} with input as allowed
}

test_capability_no_manifest if {
	d := gates.decision with input as object.union(allowed, {"manifest": {"present": false, "performs": [], "does_not_perform": [], "expects_completed": []}})
	not d.allow
	{"gate": "capability", "code": "no_manifest", "component": "spiffe://shop.example/payments", "step": charge} in d.violations
}

test_capability_not_performed if {
	d := gates.decision with input as object.union(allowed, {"manifest": {"present": true, "performs": [reserve], "does_not_perform": [], "expects_completed": []}})
	{"gate": "capability", "code": "not_performed", "component": "spiffe://shop.example/payments", "step": charge} in d.violations
}

test_capability_excluded if {
	d := gates.decision with input as object.union(allowed, {"manifest": {"present": true, "performs": [charge], "does_not_perform": [charge], "expects_completed": []}})
	{"gate": "capability", "code": "excluded", "component": "spiffe://shop.example/payments", "step": charge} in d.violations
}

test_authorization_not_in_authority if {
	d := gates.decision with input as object.union(allowed, {"authority": [reserve]})
	d.violations == {{"gate": "authorization", "code": "not_in_authority", "step": charge}}
}

test_sequence_missing_prerequisites_sorted if {
	d := gates.decision with input as object.union(allowed, {
		"completed": [],
		"manifest": {"present": true, "performs": [charge], "does_not_perform": [], "expects_completed": ["urn:a"]},
	})
	d.violations == {{"gate": "sequence", "code": "missing_prerequisites", "missing": ["urn:a", reserve]}}
}

test_scope_declared_names_the_process if {
	d := gates.decision with input as object.union(allowed, {"intent": object.union(allowed.intent, {"steps": [reserve]})})
	d.violations == {{"gate": "scope", "code": "step_not_in_intent", "step": charge, "process": "urn:shop:process:checkout"}}
}

test_scope_implicit_intent if {
	implicit := {"declared": false, "steps": [reserve], "edges": [], "prerequisites": []}
	d := gates.decision with input as object.union(allowed, {"intent": implicit})
	d.violations == {{"gate": "scope", "code": "step_not_in_intent", "step": charge}}
}

# --- temporal conditions: windows, spent approvals, budgets ---------------------------------------

windowed := object.union(allowed, {"intent": object.union(allowed.intent, {"edges": [{"from": reserve, "to": charge, "within_seconds": 600}]})})

test_sequence_within_window_allows if {
	gates.decision.allow with input as object.union(windowed, {"now": 601})
}

test_sequence_expired_prerequisite if {
	d := gates.decision with input as object.union(windowed, {"now": 602})
	d.violations == {{"gate": "sequence", "code": "expired_prerequisites", "expired": [reserve]}}
}

test_sequence_one_fresh_completion_is_enough if {
	fresh := {"step": reserve, "component": "spiffe://shop.example/inventory", "at": 500, "consumed": false}
	gates.decision.allow with input as object.union(windowed, {"now": 1000, "completed": array.concat(allowed.completed, [fresh])})
}

test_sequence_consumed_approval if {
	spent := {"step": reserve, "component": "spiffe://shop.example/inventory", "at": 1, "consumed": true}
	d := gates.decision with input as object.union(allowed, {"completed": [spent]})
	d.violations == {{"gate": "sequence", "code": "consumed", "consumed": [reserve]}}
}

test_sequence_spent_and_stale_is_expired if {
	spent := {"step": reserve, "component": "spiffe://shop.example/inventory", "at": 1, "consumed": true}
	d := gates.decision with input as object.union(windowed, {"now": 602, "completed": [spent]})
	d.violations == {{"gate": "sequence", "code": "expired_prerequisites", "expired": [reserve]}}
}

test_sequence_budget_exhausted if {
	d := gates.decision with input as object.union(allowed, {"usage": {"step": charge, "count": 2, "max": 2}})
	d.violations == {{"gate": "sequence", "code": "budget_exhausted", "step": charge, "max": 2, "used": 2}}
}

test_sequence_budget_left_allows if {
	gates.decision.allow with input as object.union(allowed, {"usage": {"step": charge, "count": 1, "max": 2}})
}
