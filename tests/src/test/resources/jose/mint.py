"""Mints keys and compact JWS with jwcrypto (not Nimbus, hopgate's own JOSE library).

usage: mint.py < SPEC_JSON
  SPEC_JSON: {"key": {"generate": {"kty": "RSA", "size": 2048}} or {"jwk": PRIVATE_JWK},
              "public_extra": {...}  (members added to the printed public JWK, e.g. "alg", "use"),
              "tokens": [{"header": {...}, "claims": {...}}, ...]}
  A claim value {"now+": SECONDS} is the current time plus SECONDS, as a NumericDate.
Prints {"private": PRIVATE_JWK, "public": PUBLIC_JWK, "tokens": [COMPACT, ...]}.
"""
import json
import sys
import time

from jwcrypto import jwk, jws


def main():
    spec = json.load(sys.stdin)
    if "generate" in spec["key"]:
        key = jwk.JWK.generate(**spec["key"]["generate"])
    else:
        key = jwk.JWK(**spec["key"]["jwk"])
    public = json.loads(key.export_public())
    public.update(spec.get("public_extra", {}))
    now = int(time.time())
    tokens = []
    for token_spec in spec.get("tokens", []):
        claims = {}
        for name, value in token_spec["claims"].items():
            if isinstance(value, dict) and "now+" in value:
                value = now + int(value["now+"])
            claims[name] = value
        token = jws.JWS(json.dumps(claims, separators=(",", ":")).encode())
        header = token_spec["header"]
        token.add_signature(key, alg=header["alg"], protected=json.dumps(header, separators=(",", ":")))
        tokens.append(token.serialize(compact=True))
    print(json.dumps({"private": json.loads(key.export_private()), "public": public, "tokens": tokens}))


if __name__ == "__main__":
    main()
