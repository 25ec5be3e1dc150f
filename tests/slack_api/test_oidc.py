"""Sign in with Slack's ID token (OpenID Connect Core 3.1.3.7): it came straight from
Slack over TLS in the code exchange, so its claims are read without its signature, and
it is taken only if Slack issued it to this app, for this sign-in (its nonce), and it
has not expired. The tokens are the Slack stand-in's, shaped as Slack documents them."""

import pytest

from bot.demo.standin.sign_in import id_token
from slack_api.oidc import id_token_claims

CLIENT, ISSUER, NONCE, NOW = "1234.5678", "https://slack.com", "n-0nce_of-this-sign-in", 1_800_000_000


def claims(**changes):
    good = {
        "iss": ISSUER,
        "sub": "UMEMBER001",
        "aud": CLIENT,
        "exp": NOW + 300,
        "iat": NOW,
        "auth_time": NOW,
        "nonce": NONCE,
        "https://slack.com/team_id": "T0ROLLOUT",
        "https://slack.com/user_id": "UMEMBER001",
    }
    good.update(changes)
    return {k: v for k, v in good.items() if v is not None}


def check(token, nonce=NONCE):
    return id_token_claims(token, client_id=CLIENT, issuer=ISSUER, nonce=nonce, now=NOW)


def test_a_token_of_this_sign_in_gives_its_claims():
    assert check(id_token(claims()))["sub"] == "UMEMBER001"
    assert check(id_token(claims(aud=[CLIENT, "other"], azp=CLIENT))) is not None
    assert check(id_token(claims(exp=NOW - 30))) is not None  # a minute's leeway for the clocks


@pytest.mark.parametrize(
    "token",
    [
        id_token(claims(nonce="the nonce of another sign-in")),
        id_token(claims(nonce=None)),
        id_token(claims(nonce=7)),
        id_token(claims(nonce="é")),
        id_token(claims(aud="9999.1111")),
        id_token(claims(aud=[CLIENT, "other"])),  # several audiences: azp must name this app
        id_token(claims(aud=None)),
        id_token(claims(iss="https://slack.evil.example")),
        id_token(claims(exp=NOW - 61)),
        id_token(claims(exp=None)),
        id_token(claims(exp="later")),
        "not-a-token",
        "a.b",
        "eyJhbGciOiJSUzI1NiJ9.!!!.c2ln",
        "eyJhbGciOiJSUzI1NiJ9.WzEsMl0.c2ln",  # a JSON list, not an object
        "",
    ],
    ids=[
        "other-nonce",
        "no-nonce",
        "nonce-not-text",
        "nonce-not-ascii",
        "other-app",
        "several-audiences-without-azp",
        "no-audience",
        "other-issuer",
        "expired",
        "no-expiry",
        "expiry-not-a-number",
        "one-part",
        "two-parts",
        "not-base64",
        "not-an-object",
        "empty",
    ],
)
def test_a_token_not_of_this_sign_in_is_refused(token):
    assert check(token) is None


def test_no_nonce_expected_takes_no_token():
    assert check(id_token(claims(nonce="")), nonce="") is None
