"""Sign-in throttling kept in the store: per username and per address, a sliding window, a short
doubling delay (never a long lock-out), race-free across threads, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask

from adapters.config import StoreConfig
from adapters.throttle import (
    ADDRESS_LIMIT, BASE_DELAY, MAX_DELAY, TOKEN_LIMIT, USER_LIMIT, WINDOW, Attempt, LoginThrottle, Throttled,
    address_scope, user_scope,
)
from adapters.web_store import WebStore
from tests.security.conftest import PASSWORD, csrf_token, login


@pytest.fixture
def throttle(store: StoreConfig):  # type: ignore[no-untyped-def]
    web = WebStore(store)
    yield LoginThrottle(web)
    web.close()


def test_five_failures_make_the_username_wait_a_minute_then_doubling_up_to_a_cap(throttle: LoginThrottle) -> None:
    scope, now = [user_scope("Trainer")], 1_000_000.0
    for i in range(USER_LIMIT):
        assert isinstance(throttle.begin(scope, now + i), Attempt)
    last = now + USER_LIMIT - 1
    refused = throttle.begin(scope, last + 1)
    assert isinstance(refused, Throttled) and refused.retry_after == pytest.approx(BASE_DELAY - 1)
    assert isinstance(throttle.begin(scope, last + BASE_DELAY + 1), Attempt)  # one more try after the wait
    refused = throttle.begin(scope, last + BASE_DELAY + 2)
    assert isinstance(refused, Throttled) and refused.retry_after == pytest.approx(2 * BASE_DELAY - 1)
    # however many failures, the wait is never longer than the cap
    t = last + 3 * BASE_DELAY
    throttle.failed(scope * 20, t)
    waiting = throttle.waiting(scope, t)
    assert waiting is not None and waiting.retry_after == pytest.approx(MAX_DELAY)


def test_refused_attempts_are_not_counted_and_the_window_slides(throttle: LoginThrottle) -> None:
    scope, now = [user_scope("trainer")], 2_000_000.0
    for i in range(USER_LIMIT):
        throttle.begin(scope, now + i)
    for i in range(20):
        assert isinstance(throttle.begin(scope, now + 10 + i), Throttled)
    assert throttle.failures(scope[0], now + 40) == USER_LIMIT
    assert throttle.failures(scope[0], now + WINDOW + USER_LIMIT) == 0
    assert throttle.waiting(scope, now + WINDOW + USER_LIMIT) is None


def test_a_success_clears_the_username_but_not_the_address(throttle: LoginThrottle) -> None:
    user, addr, now = user_scope("trainer"), address_scope("10.0.0.1"), 3_000_000.0
    for i in range(USER_LIMIT - 1):
        throttle.begin([user, addr], now + i)
    ok = throttle.begin([user, addr], now + 10)
    assert isinstance(ok, Attempt)
    throttle.succeeded(ok, clear=[user])
    assert throttle.failures(user, now + 11) == 0
    assert throttle.failures(addr, now + 11) == USER_LIMIT - 1  # its own attempt taken back, the others stay


def test_concurrent_guesses_cannot_slip_past_the_limit(throttle: LoginThrottle) -> None:
    scope, now = [user_scope("trainer")], 4_000_000.0
    results: list[object] = []
    barrier = threading.Barrier(12)

    def guess() -> None:
        barrier.wait()
        results.append(throttle.begin(scope, now))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, Attempt) for r in results) == USER_LIMIT
    assert throttle.failures(scope[0], now + 1) == USER_LIMIT


def test_the_sign_in_form_answers_429_with_a_message_after_five_wrong_passwords(app: Flask) -> None:
    client = app.test_client()
    for _ in range(USER_LIMIT):
        assert login(client, "trainer", "fout").status_code == 200
    response = login(client, "trainer")  # the right password, but too soon
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= BASE_DELAY - 5
    assert "Te veel mislukte pogingen om in te loggen. Wacht 1 min." in response.get_data(as_text=True)
    # another address is held back too: the count is per username, not per client
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(elsewhere, "trainer").status_code == 429
    # another user at the first address is not
    assert login(app.test_client(), "controle").status_code == 302


def test_after_the_wait_the_real_user_gets_in_and_the_count_starts_again(app: Flask) -> None:
    client = app.test_client()
    for _ in range(USER_LIMIT):
        login(client, "trainer", "fout")
    assert login(client, "trainer").status_code == 429
    with app.extensions["betrokken"].web.transaction() as cur:  # a minute and a bit passes
        cur.execute("UPDATE betrokken_login_attempts SET at = at - ?", (BASE_DELAY + 1,))
    assert login(client, "trainer").status_code == 302
    throttle: LoginThrottle = app.extensions["betrokken_throttle"]
    assert throttle.failures(user_scope("trainer")) == 0


def test_the_english_form_says_it_in_english(app: Flask) -> None:
    client = app.test_client()
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    for _ in range(USER_LIMIT):
        login(client, "trainer", "wrong")
    assert "Too many failed sign-in attempts. Wait 1 min." in login(client, "trainer").get_data(as_text=True)


def test_a_token_refused_too_often_gets_429_in_the_error_shape_and_its_address_goes_on(app: Flask) -> None:
    client = app.test_client()
    for _ in range(TOKEN_LIMIT):
        assert client.get("/api/v1/programs", headers={"Authorization": "Bearer nope.nope"}).status_code == 401
    response = client.get("/api/v1/programs", headers={"Authorization": "Bearer nope.nope"})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_attempts"
    assert "try again in" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) >= 1
    # the same address with a good token, or another bad one, is answered as usual
    token = app.extensions["betrokken"].accounts.issue_token("trainer")
    good = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/programs", headers=good).status_code == 200
    assert client.get("/api/v1/programs", headers={"Authorization": "Bearer other.nope"}).status_code == 401
    assert throttle_failures(app, "127.0.0.1") == TOKEN_LIMIT + 1  # the refused one was not counted
    # a request without any token is not a guess: it is not counted
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    assert other.get("/api/v1/programs").status_code == 401
    assert throttle_failures(app, "192.0.2.9") == 0


def test_an_address_sending_many_different_bad_tokens_waits_at_its_ceiling(app: Flask) -> None:
    client = app.test_client()
    throttle: LoginThrottle = app.extensions["betrokken_throttle"]
    throttle.failed([address_scope("127.0.0.1")] * (ADDRESS_LIMIT - 1))  # a guesser's earlier tries
    assert client.get("/api/v1/programs", headers={"Authorization": "Bearer guess.last"}).status_code == 401
    token = app.extensions["betrokken"].accounts.issue_token("trainer")
    good = {"Authorization": f"Bearer {token}"}
    refused = client.get("/api/v1/programs", headers=good)
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_attempts"
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    assert other.get("/api/v1/programs", headers=good).status_code == 200


def throttle_failures(app: Flask, address: str) -> int:
    return app.extensions["betrokken_throttle"].failures(address_scope(address))


def test_throttling_is_shared_by_every_app_on_the_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.security.conftest import make_app

    one, two = make_app(tmp_path / "data"), make_app(tmp_path / "data")
    try:
        for i in range(USER_LIMIT):
            login((one if i % 2 else two).test_client(), "trainer", "fout")
        assert login(one.test_client(), "trainer", PASSWORD).status_code == 429
        assert login(two.test_client(), "trainer", PASSWORD).status_code == 429
    finally:
        one.extensions["betrokken"].close()
        two.extensions["betrokken"].close()
    assert time.time()
