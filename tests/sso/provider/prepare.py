"""Set up the provider's database: its tables, one person who can log in, and Ladder as a
client. Run once before the provider starts: python -m tests.sso.provider.prepare"""

import os

import django


def main() -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user(
        username=os.environ["PROVIDER_USERNAME"],
        email=os.environ["PROVIDER_EMAIL"],
        password=os.environ["PROVIDER_PASSWORD"],
    )
    Application.objects.create(
        name="Ladder",
        client_id=os.environ["PROVIDER_CLIENT_ID"],
        client_secret=os.environ["PROVIDER_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        redirect_uris=os.environ["PROVIDER_REDIRECT_URIS"],
    )


if __name__ == "__main__":
    main()
