# hopgate's four gates in Rego (v1). The same gates in Cedar: policies/cedar/gates.cedar. Both
# engines must decide every case of the conformance corpus (tests/conformance) identically:
# decision, gates, codes and details.
#
# Query: data.hopgate.gates.decision -> {"allow": bool, "violations": [{"gate", "code", ...}]}
# The repair is not decided here: hopgate assembles it in Java from the violations, the same for
# every engine.
package hopgate.gates

decision := {"allow": count(violations) == 0, "violations": violations}

step := input.hop.step

completed contains c.step if some c in input.completed

# --- capability: does the component's signed manifest say it performs this step? ---------------

violations contains {"gate": "capability", "code": "no_manifest", "component": input.hop.component, "step": step} if {
	not input.manifest.present
}

violations contains {"gate": "capability", "code": "not_performed", "component": input.hop.component, "step": step} if {
	input.manifest.present
	not step in input.manifest.performs
}

violations contains {"gate": "capability", "code": "excluded", "component": input.hop.component, "step": step} if {
	step in input.manifest.does_not_perform
}

# --- authorization: does the authority that reached this hop cover the step? --------------------
# input.authority is the chain head's authority (narrowed hop by hop through each manifest's
# delegates) intersected with the current origin token's.

violations contains {"gate": "authorization", "code": "not_in_authority", "step": step} if {
	not step in input.authority
}

# --- sequence: are the prerequisites (process edges + the manifest's expects_completed) done? ---

missing contains s if {
	some s in input.intent.prerequisites
	not s in completed
}

missing contains s if {
	some s in input.manifest.expects_completed
	not s in completed
}

violations contains {"gate": "sequence", "code": "missing_prerequisites", "missing": sort(missing)} if {
	count(missing) > 0
}

# A prerequisite counts only within the window of its edge into this step (`within`), and an
# approval (`once`) only until a step it unlocked has spent it (`consumed`); a budgeted step (`max`)
# only while this txn has uses left.

window(from) := e.within_seconds if {
	some e in input.intent.edges
	e.from == from
	e.to == step
	e.within_seconds
}

fresh(c) if not window(c.step)

fresh(c) if input.now - c.at <= window(c.step)

has_fresh(s) if {
	some c in input.completed
	c.step == s
	fresh(c)
}

has_usable(s) if {
	some c in input.completed
	c.step == s
	fresh(c)
	not c.consumed
}

expired contains s if {
	some s in input.intent.prerequisites
	s in completed
	not has_fresh(s)
}

consumed contains s if {
	some s in input.intent.prerequisites
	has_fresh(s)
	not has_usable(s)
}

violations contains {"gate": "sequence", "code": "expired_prerequisites", "expired": sort(expired)} if {
	count(expired) > 0
}

violations contains {"gate": "sequence", "code": "consumed", "consumed": sort(consumed)} if {
	count(consumed) > 0
}

violations contains v if {
	input.usage.count >= input.usage.max
	v := {"gate": "sequence", "code": "budget_exhausted", "step": step, "max": input.usage.max, "used": input.usage.count}
}

# --- scope: is the step part of the declared intent (or, undeclared, of the component's own)? ---

violations contains {"gate": "scope", "code": "step_not_in_intent", "step": step, "process": input.intent.process} if {
	input.intent.declared
	not step in input.intent.steps
}

violations contains {"gate": "scope", "code": "step_not_in_intent", "step": step} if {
	not input.intent.declared
	not step in input.intent.steps
}
