"""The provider's claims and ID tokens, as the running test asks for them.

The test writes a JSON file (PROVIDER_CONTROL) before each sign-in: the email claims to send,
and how to spoil the ID token, if at all: "wrong_audience", "wrong_nonce", "wrong_issuer",
"expired" or "bad_signature".
"""

import base64
import json
import os
import time
from pathlib import Path

from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

# Not the provider's key: a token signed with it, under the provider's key id, is a forgery.
STRAY_KEY = jwk.JWK.generate(kty="RSA", size=2048)


def control() -> dict:
    path = Path(os.environ["PROVIDER_CONTROL"])
    return json.loads(path.read_text()) if path.exists() else {}


class ControlledValidator(OAuth2Validator):
    # Every claim goes into the ID token whatever the scope, as the test chose them.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        wanted = control()
        claims = {"email": wanted.get("email", request.user.email), "name": wanted.get("name", "")}
        if wanted.get("email_verified", True) is not None:
            claims["email_verified"] = wanted.get("email_verified", True)
        return {key: value for key, value in claims.items() if value != ""}

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        tamper = control().get("tamper")
        if tamper == "wrong_audience":
            # Meant for another client, naming this one as the party it was issued to.
            claims["aud"] = "another-client"
            claims["azp"] = request.client.client_id
        elif tamper == "wrong_nonce":
            # A token issued for another sign-in, replayed into this one.
            claims["nonce"] = "a-nonce-of-another-sign-in"
        elif tamper == "wrong_issuer":
            claims["iss"] = "https://elsewhere.example"
        elif tamper == "expired":
            now = int(time.time())
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        return claims, expiration

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        if control().get("tamper") != "bad_signature":
            return signed
        header_part, claims_part, _ = signed.split(".")
        header = json.loads(base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))
        claims = base64.urlsafe_b64decode(claims_part + "=" * (-len(claims_part) % 4))
        forged = jwt.JWT(header=json.dumps(header), claims=claims.decode())
        forged.make_signed_token(STRAY_KEY)
        return forged.serialize()
