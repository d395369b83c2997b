"""Re-signs a compact JWS with jwcrypto (not Nimbus, hopgate's own JOSE library), its claims edited.

usage: resign.py PRIVATE_JWK_FILE COMPACT_JWS CLAIM_EDITS_JSON
  CLAIM_EDITS_JSON: claims to set (null removes one); a value {"now+": SECONDS} is the current
  time plus SECONDS, as a NumericDate. The protected header (alg, kid, typ) is kept.
Prints the new compact JWS.
"""
import base64
import json
import sys
import time

from jwcrypto import jwk, jws


def b64decode(segment):
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def main():
    key = jwk.JWK.from_json(open(sys.argv[1]).read())
    header_segment, payload_segment, _ = sys.argv[2].split(".")
    header = json.loads(b64decode(header_segment))
    claims = json.loads(b64decode(payload_segment))
    now = int(time.time())
    for name, value in json.loads(sys.argv[3]).items():
        if value is None:
            claims.pop(name, None)
        elif isinstance(value, dict) and "now+" in value:
            claims[name] = now + int(value["now+"])
        else:
            claims[name] = value
    token = jws.JWS(json.dumps(claims, separators=(",", ":")).encode())
    token.add_signature(key, alg=header["alg"], protected=json.dumps(header, separators=(",", ":")))
    print(token.serialize(compact=True))


if __name__ == "__main__":
    main()
