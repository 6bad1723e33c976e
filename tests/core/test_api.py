"""The REST API: root, schema, docs, tokens."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD
from tests.security.openapi import api_schema, assert_documented

pytestmark = pytest.mark.django_db


def test_api_root_lists_the_organisations_endpoint(api_client, cast):
    api_client.force_authenticate(cast.alice)
    response = api_client.get("/api/v1/")
    assert response.status_code == 200
    assert "organizations" in response.json()


def test_openapi_schema_describes_the_scoped_endpoints(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organizations/{org_slug}/memberships/" in schema["paths"]
    assert "/api/v1/organizations/{org_slug}/org-units/" in schema["paths"]


def test_api_docs_page_loads_its_assets_from_our_server(client, db):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()


def test_token_from_username_and_password_authenticates_api_calls(api_client, cast):
    response = api_client.post(
        reverse("api-token-obtain"), {"username": "quinn", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = api_client.get(reverse("membership-list", kwargs={"org_slug": "acme-test"}))
    assert listed.status_code == 200


def test_token_request_with_wrong_password_is_refused_clearly(api_client, cast):
    response = api_client.post(
        reverse("api-token-obtain"), {"username": "quinn", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "Unable to log in" in str(response.json())
    assert not Token.objects.exists()


def test_malformed_token_request_is_400(api_client, db):
    response = api_client.post(
        reverse("api-token-obtain"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_bad_token_is_401(api_client, cast):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get(reverse("organization-list")).status_code == 401


def test_api_token_page_creates_replaces_and_masks_the_token(client, cast):
    client.force_login(cast.alice)
    created = client.post(reverse("api-token")).content.decode()
    key = Token.objects.get(user=cast.alice).key
    assert key in created
    shown_later = client.get(reverse("api-token")).content.decode()
    assert key not in shown_later
    assert key[-4:] in shown_later
    client.post(reverse("api-token"))
    assert Token.objects.get(user=cast.alice).key != key


def test_org_units_come_in_tree_order_with_parents(api_client, cast):
    api_client.force_authenticate(cast.carl)
    units = api_client.get(reverse("org-unit-list", kwargs={"org_slug": "acme-test"})).json()
    assert [u["name"] for u in units] == ["Acme Test Ltd", "Plant One"]
    assert units[0]["parent"] is None
    assert units[1]["parent"] == units[0]["id"]


def test_memberships_filter_by_role(api_client, cast):
    api_client.force_authenticate(cast.alice)
    url = reverse("membership-list", kwargs={"org_slug": "acme-test"})
    results = api_client.get(url, {"role": "auditor"}).json()["results"]
    assert {m["user"]["username"] for m in results} == {"audrey", "eddie"}


def test_invalid_filter_value_is_a_clear_400(api_client, cast):
    api_client.force_authenticate(cast.alice)
    url = reverse("membership-list", kwargs={"org_slug": "acme-test"})
    response = api_client.get(url, {"role": "emperor"})
    assert response.status_code == 400
    assert "role" in response.json()


def test_the_schema_documents_the_errors_an_endpoint_answers():
    """drf-spectacular documents only success; a client generated from the schema must also
    know the refusals (found by tests/security/test_api_fuzzing.py)."""
    paths = api_schema().raw_schema["paths"]
    detail = paths["/api/v1/organizations/{org_slug}/risks/{id}/"]
    assert set(detail["patch"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "412",
        "415",
        "428",
    }
    assert set(detail["get"]["responses"]) == {"200", "401", "403", "404"}
    listing = paths["/api/v1/organizations/{org_slug}/risks/"]["get"]["responses"]
    assert {"400", "404"} <= set(listing)  # a bad filter; a page past the end
    assert set(paths["/api/v1/auth/token/"]["post"]["responses"]) == {"200", "400", "415", "429"}


def test_refusals_have_the_documented_body(api_client, cast):
    api_client.force_authenticate(cast.bob)
    stranger = api_client.get("/api/v1/organizations/acme-test/memberships/")
    assert stranger.status_code == 404
    assert_documented(stranger, "/api/v1/organizations/{org_slug}/memberships/")
    api_client.force_authenticate(cast.quinn)
    past_the_end = api_client.get("/api/v1/organizations/acme-test/memberships/", {"page": "abc"})
    assert past_the_end.status_code == 404
    assert_documented(past_the_end, "/api/v1/organizations/{org_slug}/memberships/")
    bad_filter = api_client.get("/api/v1/organizations/acme-test/memberships/", {"role": "boss"})
    assert bad_filter.status_code == 400
    assert_documented(bad_filter, "/api/v1/organizations/{org_slug}/memberships/")


def test_a_malformed_record_id_answers_the_apis_json_404(api_client, cast):
    api_client.force_authenticate(cast.quinn)
    response = api_client.get("/api/v1/organizations/acme-test/notifications/62335548.66/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert_documented(response, "/api/v1/organizations/{org_slug}/notifications/{id}/")


def test_an_api_path_no_route_matches_answers_json_and_a_page_path_the_page(client, cast):
    client.force_login(cast.quinn)
    api = client.get("/api/v1/organizations/acme-test/no-such-endpoint/")
    assert api.status_code == 404 and api.json() == {"detail": "Not found."}
    page = client.get("/o/acme-test/no-such-page/")
    assert page.status_code == 404 and "Page not found" in page.content.decode()
