"""The identity provider Ladder signs people in with, as Authlib's OpenID Connect client.

Authlib reads the provider's discovery document, sends the authorization code request with
PKCE (S256), a state and a nonce, and on the way back checks the state against the session,
exchanges the code and verifies the ID token: its signature against the provider's published
keys, its nonce, and the claims given to it here. Nothing in Ladder decodes a token by hand.
"""

from __future__ import annotations

import hashlib

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import Http404
from joserfc.errors import JoseError

SCOPE = "openid email profile"
# Seconds to wait for the provider (discovery, keys, token exchange) before the sign-in fails
# with a page saying so, rather than holding a worker.
TIMEOUT = 10

# Everything that can go wrong between leaving for the provider and coming back: a state not
# started in this browser (or used already), an error sent back, a token the provider refuses
# to exchange, a token that fails verification, a provider that does not answer.
FlowError = (AuthlibBaseError, JoseError, requests.RequestException, ValueError)

_registry = OAuth()


def is_configured() -> bool:
    return bool(settings.OIDC_ISSUER)


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


def discovery_url() -> str:
    return settings.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"


def get_client():
    """The client for the configured provider; 404 when single sign-on is not set up.

    One client per configuration, kept for the process: it holds the discovery document and
    the provider's keys once fetched (Authlib fetches the keys again when a token names a key
    it does not hold, as after the provider rotates them).
    """
    if not is_configured():
        raise Http404("Single sign-on is not set up.")
    config = (settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET)
    name = "oidc-" + hashlib.sha256("\n".join(config).encode()).hexdigest()[:16]
    client = _registry.create_client(name)
    if client is None:
        _registry.register(
            name,
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            server_metadata_url=discovery_url(),
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT,
            },
        )
        client = _registry.create_client(name)
    return client


def check_issuer(client) -> None:
    """The discovery document must name the configured issuer (OpenID Connect Discovery 1.0,
    section 4.3): a document served for another issuer would have its tokens accepted."""
    issuer = client.load_server_metadata().get("issuer")
    if issuer != settings.OIDC_ISSUER:
        raise ValueError(
            f"the provider's discovery document names the issuer {issuer!r}, "
            f"not {settings.OIDC_ISSUER!r} as OIDC_ISSUER says"
        )


def claims_options() -> dict:
    """What the ID token's claims must hold besides a valid nonce and expiry.

    Authlib checks the audience only when told to (without it, a token for another client that
    names this one as `azp` passes), so the issuer and audience are both stated here.
    """
    return {
        "iss": {"essential": True, "values": [settings.OIDC_ISSUER]},
        "aud": {"essential": True, "values": [settings.OIDC_CLIENT_ID]},
        "sub": {"essential": True},
    }
