# The peer of the load benchmark: what opa-envoy-plugin decides for the same CheckRequests hopgate
# gets, with work equivalent to hopgate's (issue 8): every signature verified (hop token, origin
# token, each transition and completion record by its component's enforcement key), the chain
# linked (origin binding, predecessor digests, positions, one txn, the caller at its head,
# authority only narrowing), then the four gates over the same claims. Not a product: it has no
# one-time tokens, no decision log, no repair and mints nothing (hopgate does all four).
# Data (data.hopgate_peer) is written by dev.hopgate.bench.LoadFixture.
package hopgate.peer

import rego.v1

d := data.hopgate_peer

http := input.attributes.request.http

ext := input.attributes.contextExtensions

now := time.now_ns()

default allow := false

allow if {
	floor
	count(violations) == 0
}

verified(token, jwks, iss, aud) := claims if {
	[valid, _, claims] := io.jwt.decode_verify(token, {"cert": jwks, "alg": "ES256", "iss": iss, "aud": aud, "time": now})
	valid
}

# Records without an audience (transitions, completions): signed by an enforcement point of the
# component they name.
recorded(token) := claims if {
	[_, payload, _] := io.jwt.decode(token)
	m := d.manifests[payload.component]
	[valid, _, claims] := io.jwt.decode_verify(token, {"cert": m.jwks, "alg": "ES256", "iss": m.endpoint, "time": now})
	valid
}

hop := verified(trim_prefix(http.headers.authorization, "Bearer "), d.token_service.jwks, d.token_service.issuer, ext.component)

origin := verified(http.headers["txn-token"], d.txn_token_service.jwks, d.txn_token_service.issuer, d.trust_domain)

chain_tokens := split(http.headers["txn-chain"], "~") if http.headers["txn-chain"] != ""

else := []

chain := [recorded(t) | some t in chain_tokens]

completion_tokens := split(http.headers["txn-completions"], "~") if http.headers["txn-completions"] != ""

else := []

completions := [recorded(t) | some t in completion_tokens]

binding := concat("", ["sha256:", crypto.sha256(json.marshal({
	"txn": origin.txn, "sub": origin.sub, "aud": d.trust_domain,
	"origin_wl": origin.tctx.origin_wl, "deadline": origin.tctx.deadline,
}))])

linked(0) if chain[0].pred == binding

linked(i) if {
	i > 0
	chain[i].pred == concat("", ["sha256:", crypto.sha256(chain_tokens[i - 1])])
	every s in chain[i].authority {
		s in chain[i - 1].authority
		delegable(chain[i - 1].component, s)
	}
}

delegable(component, _) if d.manifests[component].delegates == "*"

delegable(component, s) if s in d.manifests[component].delegates

floor if {
	hop.txn == origin.txn
	hop.sub == origin.sub
	count(chain) == count(chain_tokens)
	every i, t in chain {
		t.txn == origin.txn
		t.position == i + 1
		linked(i)
	}
	caller_ok
	every c in completions {
		c.txn == origin.txn
	}
}

# The caller is the chain's head; a first hop (no chain) comes from the origin workload, or from
# anyone on a listener without client certificates (hopgate: require_caller "false").
caller_ok if {
	count(chain) > 0
	input.attributes.source.principal == chain[count(chain) - 1].component
}

caller_ok if {
	count(chain) == 0
	input.attributes.source.principal in {origin.tctx.origin_wl, ""}
}

caller_ok if {
	count(chain) == 0
	not input.attributes.source.principal
}

step := ext.step

manifest := d.manifests[ext.component]

authority := {s | some s in chain[count(chain) - 1].authority; s in origin.tctx.authority} if count(chain) > 0

else := {s | some s in origin.tctx.authority}

completed := {c.step | some c in completions}

violations contains "capability" if not step in manifest.performs

violations contains "authorization" if not step in authority

violations contains "sequence" if {
	some s in manifest.expects_completed
	not s in completed
}

violations contains "scope" if not step in manifest.performs
