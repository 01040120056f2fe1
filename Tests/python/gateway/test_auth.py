"""Accounts and sessions: register, sign in, refresh with rotation and reuse detection, sign out, JWT tampering
and expiry, sign-in throttling per username and per address, the per-user rate limit, profiles and admins."""
import os
import subprocess
import tempfile
import time
import uuid

import requests

from .conftest import ADMIN
from .gwsupport import PASSWORD, backing_environment, bin_path, forge_jwt, jwt_claims, sign_in, sign_up


def post(gateway, path, **kwargs):
    return requests.post(gateway.url(path), timeout=30, **kwargs)


def error_code(response):
    return response.json()["error"]["code"]


def test_register_then_sign_in_issues_tokens_and_an_httponly_cookie(gateway):
    username, user_id = sign_up(gateway)
    uuid.UUID(user_id)
    response = post(gateway, "/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert jwt_claims(body["access_token"])["sub"] == user_id
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"ff_access={body['access_token']};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    # The cookie alone authenticates (EventSource and download links cannot send headers).
    me = requests.get(gateway.url("/api/v1/users/me"), cookies={"ff_access": body["access_token"]}, timeout=30)
    assert me.status_code == 200 and me.json()["username"] == username


def test_registration_refuses_taken_weak_and_malformed_input(gateway):
    username, _ = sign_up(gateway)
    taken = post(gateway, "/api/v1/auth/register", json={"username": username, "password": PASSWORD})
    assert taken.status_code == 409 and error_code(taken) == "username_taken"
    fresh = f"w-{uuid.uuid4().hex[:10]}"
    for password in ["short1!", "aaaaaaaaaaaa", "ababababab", f"x{fresh}y2024"]:
        weak = post(gateway, "/api/v1/auth/register", json={"username": fresh, "password": password})
        assert weak.status_code == 400 and error_code(weak) == "weak_password", password
    for bad_name in ["ab", "has space", "../../etc", "x" * 65, "ünïcode", "-dash-first", ""]:
        response = post(gateway, "/api/v1/auth/register", json={"username": bad_name, "password": PASSWORD})
        assert response.status_code == 400, bad_name
    bad_email = post(gateway, "/api/v1/auth/register", json={"username": fresh, "password": PASSWORD, "email": "nope"})
    assert bad_email.status_code == 400
    assert post(gateway, "/api/v1/auth/register", json={"username": fresh}).status_code == 400
    assert post(gateway, "/api/v1/auth/register", json={"username": 5, "password": PASSWORD}).status_code == 400
    assert post(gateway, "/api/v1/auth/register", data=b"{not json",
                headers={"Content-Type": "application/json"}).status_code == 400
    wrong_type = post(gateway, "/api/v1/auth/register", data=b"username=x", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    # None of the refused attempts created the account.
    assert post(gateway, "/api/v1/auth/login", json={"username": fresh, "password": PASSWORD}).status_code == 401


def test_bad_credentials_are_401_without_saying_which_part_was_wrong(gateway):
    username, _ = sign_up(gateway)
    wrong = post(gateway, "/api/v1/auth/login", json={"username": username, "password": "not the password"})
    unknown = post(gateway, "/api/v1/auth/login", json={"username": f"nobody-{uuid.uuid4().hex[:8]}",
                                                         "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_session(gateway):
    username, _ = sign_up(gateway)
    first = sign_in(gateway, username)
    second = post(gateway, "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    me = requests.get(gateway.url("/api/v1/users/me"), headers={"Authorization": f"Bearer {second['access_token']}"},
                      timeout=30)
    assert me.status_code == 200
    # The first token is spent: presenting it again is a replay, which revokes every token of the session...
    replay = post(gateway, "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and error_code(replay) == "refresh_token_reused"
    # ...including the legitimate successor.
    successor = post(gateway, "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert successor.status_code == 401
    # A new sign-in starts a new session.
    third = sign_in(gateway, username)
    assert post(gateway, "/api/v1/auth/refresh", json={"refresh_token": third["refresh_token"]}).status_code == 200


def test_refresh_refuses_access_tokens_garbage_and_foreign_signatures(gateway):
    username, user_id = sign_up(gateway)
    tokens = sign_in(gateway, username)
    for token in [tokens["access_token"], "garbage", "",
                  forge_jwt({"sub": user_id, "typ": "refresh", "iss": "fileflow", "exp": time.time() + 600,
                             "iat": time.time(), "jti": "x", "fam": "y"}, secret="another-secret-" + "z" * 40)]:
        response = post(gateway, "/api/v1/auth/refresh", json={"refresh_token": token})
        assert response.status_code == 401, token


def test_logout_clears_the_cookie_and_revokes_the_refresh_token(gateway):
    username, _ = sign_up(gateway)
    tokens = sign_in(gateway, username)
    response = post(gateway, "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 204
    assert response.headers["Set-Cookie"].startswith("ff_access=;") and "Max-Age=0" in response.headers["Set-Cookie"]
    assert post(gateway, "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert post(gateway, "/api/v1/auth/logout").status_code == 204


def test_tampered_expired_and_unsigned_access_tokens_are_401(gateway, new_client):
    client = new_client()
    claims = jwt_claims(client.token)
    head, body, signature = client.token.split(".")
    other = new_client()
    forged_body = jwt_claims(other.token)
    forged_body["sub"] = client.user_id
    from .gwsupport import b64url
    import json
    candidates = {
        "flipped signature": f"{head}.{body}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}",
        "payload swapped": f"{head}.{b64url(json.dumps(forged_body).encode())}.{signature}",
        "expired": forge_jwt({**claims, "exp": time.time() - 60}),
        "alg none": forge_jwt({**claims, "exp": time.time() + 600}, alg="none"),
        "other key": forge_jwt({**claims, "exp": time.time() + 600}, secret="not-the-gateway-key-" + "q" * 40),
        "refresh as access": client.refresh,
        "not a jwt": "abc.def",
    }
    for what, token in candidates.items():
        response = requests.get(client.gateway.url("/api/v1/users/me"), headers={"Authorization": f"Bearer {token}"},
                                timeout=30)
        assert response.status_code == 401, what
        assert error_code(response) == "invalid_token", what
    malformed = requests.get(client.gateway.url("/api/v1/users/me"), headers={"Authorization": "Basic abc"},
                             timeout=30)
    assert malformed.status_code == 401
    # A correctly signed, unexpired token is accepted: the checks above are not refusing everything.
    assert requests.get(client.gateway.url("/api/v1/users/me"),
                        headers={"Authorization": f"Bearer {forge_jwt({**claims, 'exp': time.time() + 600})}"},
                        timeout=30).status_code == 200


def test_sign_in_is_throttled_per_username_and_per_address(start_gateway):
    gateway = start_gateway("--trust-forwarded-for", "--login-max-failures", "3",
                            "--login-max-failures-per-address", "5")
    victim, _ = sign_up(gateway)

    def attempt(username, password, address):
        return post(gateway, "/api/v1/auth/login", json={"username": username, "password": password},
                    headers={"X-Forwarded-For": address})

    for index in range(3):
        assert attempt(victim, "wrong password", f"10.0.0.{index}").status_code == 401
    throttled = attempt(victim, PASSWORD, "10.0.1.1")  # even the right password, from a fresh address
    assert throttled.status_code == 429 and error_code(throttled) == "login_throttled"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 900
    bystander, _ = sign_up(gateway)
    assert attempt(bystander, PASSWORD, "10.0.1.2").status_code == 200

    # Five failures from one address, each against a different name, lock that address out for everyone.
    for index in range(5):
        assert attempt(f"ghost-{uuid.uuid4().hex[:8]}", "wrong password", "10.9.9.9").status_code == 401
    assert attempt(bystander, PASSWORD, "10.9.9.9").status_code == 429
    assert attempt(bystander, PASSWORD, "10.9.9.10").status_code == 200


def test_requests_beyond_the_users_token_bucket_get_429_with_retry_after(start_gateway, new_client):
    gateway = start_gateway("--rate-limit", "0.5", "--rate-burst", "3")
    client, other = new_client(on=gateway), new_client(on=gateway)
    statuses = [client.get("/api/v1/users/me").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    limited = client.get("/api/v1/users/me")
    assert limited.status_code == 429 and error_code(limited) == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    # Buckets are per user.
    assert other.get("/api/v1/users/me").status_code == 200
    time.sleep(int(limited.headers["Retry-After"]) + 0.1)
    assert client.get("/api/v1/users/me").status_code == 200


def test_profile_update_and_quota_shape(new_client):
    client = new_client()
    profile = client.get("/api/v1/users/me").json()
    assert profile == {"user_id": client.user_id, "username": client.username, "email": "", "display_name": "",
                       "is_admin": False, "quota": {"used_bytes": 0, "limit_bytes": 0}}
    updated = client.request("PATCH", "/api/v1/users/me", json={"email": "a@example.org", "display_name": "Ada L."})
    assert updated.status_code == 200
    assert updated.json()["email"] == "a@example.org" and updated.json()["display_name"] == "Ada L."
    assert client.request("PATCH", "/api/v1/users/me", json={"email": "not an address"}).status_code == 400
    assert client.request("PATCH", "/api/v1/users/me", json={"display_name": "x\u0001y"}).status_code == 400
    assert client.get("/api/v1/users/me").json()["email"] == "a@example.org"


def test_admin_metrics_are_for_admins_only(gateway, new_client):
    plain = new_client()
    assert plain.get("/api/v1/admin/metrics").status_code == 403
    admin = new_client(username=ADMIN)
    assert admin.get("/api/v1/users/me").json()["is_admin"] is True
    metrics = admin.get("/api/v1/admin/metrics")
    assert metrics.status_code == 200
    body = metrics.json()
    assert set(body["services"]) == {"metadata", "file-process", "search", "deletion", "notification"}
    assert all(state["up"] for state in body["services"].values()), body["services"]
    assert body["requests_total"] > 0 and 0 <= body["error_rate"] <= 1
    # The metadata service's figures: integers, counting at least what this test made.
    assert body["stats_error"] is None
    for key in ["storage_bytes", "users", "files", "queue_depth"]:
        assert isinstance(body[key], int) and not isinstance(body[key], bool) and body[key] >= 0, (key, body)
    assert body["users"] >= 2
    plain.upload("metrics.bin", os.urandom(8192))  # random: new blocks, stored uncompressed
    new_client()
    later = admin.get("/api/v1/admin/metrics").json()
    assert later["users"] >= body["users"] + 1 and later["files"] >= body["files"] + 1
    assert later["storage_bytes"] >= body["storage_bytes"] + 8192


def test_admin_metrics_keep_health_and_say_why_when_the_figures_are_refused(start_gateway, new_client):
    # An admin of this gateway only: the metadata service does not know them, so it refuses GetSystemStats.
    stranger = f"admin-{uuid.uuid4().hex[:10]}"
    gateway = start_gateway(admins=stranger)
    body = new_client(on=gateway, username=stranger).get("/api/v1/admin/metrics").json()
    assert all(state["up"] for state in body["services"].values()), body["services"]
    assert body["storage_bytes"] is None and body["users"] is None and body["files"] is None
    assert body["queue_depth"] is None and "administrator" in body["stats_error"]


def cookie_attributes(response):
    return [part.strip() for part in response.headers["Set-Cookie"].split(";")][1:]


def test_the_cookie_is_secure_when_a_proxy_reports_https(gateway):
    username, _ = sign_up(gateway)
    credentials = {"username": username, "password": PASSWORD}
    plain = post(gateway, "/api/v1/auth/login", json=credentials)
    assert "Secure" not in cookie_attributes(plain)  # plain http (loopback, the web UI test) keeps working
    assert "Secure" not in cookie_attributes(
        post(gateway, "/api/v1/auth/login", json=credentials, headers={"X-Forwarded-Proto": "http"}))
    for proto in ["https", "HTTPS", "https, http"]:  # the first entry is the client's own hop
        proxied = post(gateway, "/api/v1/auth/login", json=credentials, headers={"X-Forwarded-Proto": proto})
        assert proxied.status_code == 200
        assert cookie_attributes(proxied)[-1] == "Secure", proto
        assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(cookie_attributes(proxied))
    refreshed = post(gateway, "/api/v1/auth/refresh", json={"refresh_token": proxied.json()["refresh_token"]},
                     headers={"X-Forwarded-Proto": "https"})
    assert refreshed.status_code == 200 and "Secure" in cookie_attributes(refreshed)
    cleared = post(gateway, "/api/v1/auth/logout", headers={"X-Forwarded-Proto": "https"})
    assert cleared.headers["Set-Cookie"].startswith("ff_access=;") and "Secure" in cookie_attributes(cleared)
    assert "Secure" not in cookie_attributes(post(gateway, "/api/v1/auth/logout"))


def test_the_cookie_is_always_secure_when_configured(start_gateway):
    gateway = start_gateway(env={"FILEFLOW_COOKIE_SECURE": "true"})
    username, _ = sign_up(gateway)
    response = post(gateway, "/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200 and "Secure" in cookie_attributes(response)
    # The cookie itself still authenticates (a browser would send it only over https; the gateway does not care).
    me = requests.get(gateway.url("/api/v1/users/me"), cookies={"ff_access": response.json()["access_token"]},
                      timeout=30)
    assert me.status_code == 200
    assert "Secure" in cookie_attributes(post(gateway, "/api/v1/auth/logout"))


def test_a_malformed_cookie_or_stream_setting_stops_the_gateway_at_start():
    for name, value in [("FILEFLOW_COOKIE_SECURE", "sometimes"), ("FILEFLOW_MAX_EVENT_STREAMS_PER_USER", "0"),
                        ("FILEFLOW_MAX_EVENT_STREAMS_PER_USER", "many")]:
        result = subprocess.run(
            [str(bin_path() / "fileflow"), "gateway", "--port", "0", "--jwt-secret", "s" * 40,
             "--data-dir", tempfile.mkdtemp(prefix="fileflow-gateway-")],
            env={**backing_environment(), name: value}, capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and name in result.stderr, (name, value, result.stderr[-2000:])
