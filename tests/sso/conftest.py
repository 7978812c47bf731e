from tests.sso.oidc import oidc_provider, provider  # noqa: F401
