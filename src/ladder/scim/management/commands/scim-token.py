from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ladder.scim.models import ScimToken
from ladder.scim.tokens import scim_token_create, scim_token_revoke


class Command(BaseCommand):
    help = (
        "Create, list or revoke the bearer tokens an identity provider uses for SCIM "
        "provisioning at /scim/v2/. A new token is printed once; only its hash is kept."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token and print it, once.")
        create.add_argument("name", help="the identity provider that will use it, e.g. Okta")
        actions.add_parser("list", help="List the tokens: id, name, created, last used, state.")
        revoke = actions.add_parser("revoke", help="Revoke a token: its requests get 401.")
        revoke.add_argument("id", type=int, help="the token's id, as `list` shows it")

    def handle(self, *args, action, **options):
        if action == "create":
            try:
                token, text = scim_token_create(by=None, name=options["name"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(f"Token {token.pk} ({token.name}), shown only now:\n{text}")
        elif action == "list":
            for token in ScimToken.objects.order_by("pk"):
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.pk}\t{token.name}\tcreated {token.created_at:%Y-%m-%d}\t"
                    f"last used {used}\t{state}"
                )
        else:
            token = ScimToken.objects.filter(pk=options["id"]).first()
            if token is None:
                raise CommandError(f"No SCIM token has the id {options['id']}.")
            scim_token_revoke(by=None, token=token)
            self.stdout.write(f"Token {token.pk} ({token.name}) is revoked.")
