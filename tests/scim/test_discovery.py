"""What the service says about itself, made by scim2-models."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_service_provider_config_announces_patch_filter_and_etags(scim):
    config = scim.get("ServiceProviderConfig").json()

    assert config["patch"]["supported"] and config["filter"]["supported"]
    assert config["etag"]["supported"] and not config["bulk"]["supported"]
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"


def test_resource_types_are_users_with_the_enterprise_extension_and_groups(scim):
    body = scim.get("ResourceTypes").json()

    assert {r["id"]: r["endpoint"] for r in body["Resources"]} == {
        "User": "/Users",
        "Group": "/Groups",
    }
    assert (
        scim.get("ResourceTypes/User")
        .json()["schemaExtensions"][0]["schema"]
        .endswith("enterprise:2.0:User")
    )


def test_schemas_publish_only_the_attributes_ladder_keeps(scim):
    user = scim.get("Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()

    assert [a["name"] for a in user["attributes"]] == [
        "userName",
        "name",
        "displayName",
        "active",
        "emails",
    ]
    assert scim.get("Schemas").json()["totalResults"] == 3
