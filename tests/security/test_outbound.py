"""The outbound guard: which addresses the service refuses to send requests to, at registration and again
at the moment of connecting."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator

import pytest
import requests

from engage.security.outbound import (
    OutboundRefused,
    check_url,
    check_url_without_lookup,
    checked_request,
    guarded_session,
)
from tests.conftest import IN_CI, free_port
from tests.receiver import LOOPBACK, Answer, Receiver

PRIVATE = [
    # IPv4 ranges
    "http://127.0.0.1/", "http://127.8.9.10/", "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://100.127.255.254/", "http://0.0.0.0/",
    "http://224.0.0.1/", "http://239.255.255.250/", "http://240.0.0.1/", "http://255.255.255.255/",
    "http://192.0.0.8/", "http://198.18.0.1/", "http://192.0.2.1/",
    # numeric forms that resolve to 127.0.0.1
    "http://2130706433/", "http://0x7f.1/", "http://017700000001/", "http://0x7f000001/", "http://127.1/",
    "http://0177.0.0.1/",
    # IPv6: loopback, unspecified, link-local, unique-local, site-local, multicast
    "http://[::1]/", "http://[::]/", "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd12:3456::1]/",
    "http://[fec0::1]/", "http://[ff02::1]/",
    # IPv6 carrying a private IPv4 address: mapped, 6to4, Teredo (client 192.168.1.1), NAT64
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/", "http://[::ffff:7f00:1]/",
    "http://[2002:7f00:1::1]/", "http://[2002:c0a8:101::1]/", "http://[2001:0:4136:e378:8000:63bf:3f57:fefe]/",
    "http://[64:ff9b::a00:1]/",
    # a name that resolves to loopback
    "http://localhost/", "https://localhost:8443/hook",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_private_loopback_and_other_non_public_addresses_are_refused(url):
    with pytest.raises(OutboundRefused) as refusal:
        check_url(url)
    assert refusal.value.reason == "private"
    assert refusal.value.message == "The address is on a private network"


@pytest.mark.parametrize("url", PRIVATE)
def test_the_same_addresses_are_refused_without_a_lookup_when_a_link_is_saved(url):
    with pytest.raises(OutboundRefused) as refusal:
        check_url_without_lookup(url)
    assert (refusal.value.reason, refusal.value.message) == ("private", "The address is on a private network")


@pytest.mark.parametrize(("url", "address"), [
    ("http://2130706433/", "127.0.0.1"), ("http://0x7f.1/", "127.0.0.1"), ("http://017700000001/", "127.0.0.1"),
    ("http://0177.0.0.1/", "127.0.0.1"), ("http://10.1/", "10.0.0.1"), ("http://169.254.43518/", "169.254.169.254"),
])
def test_numeric_host_forms_are_read_as_the_resolver_reads_them(url, address):
    with pytest.raises(OutboundRefused) as refusal:
        check_url_without_lookup(url)
    assert refusal.value.address == address


@pytest.mark.parametrize("url", ["http://8.8.8.8/", "http://[2606:4700:4700::1111]/", "https://example.org/a",
                                 "https://no-such-host.invalid/", "https://123.example.org/", "http://1.2.3.4.5/",
                                 "https://0x7f.example/", "https://localhost-news.example.org/"])
def test_host_names_and_public_addresses_pass_without_a_lookup(url):
    check_url_without_lookup(url)


def test_without_a_lookup_an_allowed_network_is_let_through_too(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", list(LOOPBACK))
    check_url_without_lookup("http://localhost:8080/")
    check_url_without_lookup("http://127.1/")
    with pytest.raises(OutboundRefused):
        check_url_without_lookup("http://169.254.169.254/")


@pytest.mark.parametrize("url", ["http://2130706433/", "http://0x7f.1/", "http://017700000001/"])
def test_numeric_host_forms_are_refused_as_the_loopback_address_they_are(url):
    with pytest.raises(OutboundRefused) as refusal:
        check_url(url)
    assert refusal.value.address == "127.0.0.1"


@pytest.mark.parametrize("url", ["http://8.8.8.8/", "https://1.1.1.1:8443/hook", "http://[2606:4700:4700::1111]/",
                                 "http://[2002:808:808::1]/", "HTTPS://8.8.4.4/Path?q=1"])
def test_public_addresses_are_accepted(url):
    check_url(url)


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://8.8.8.8/file", "scheme"), ("file:///etc/passwd", "scheme"), ("javascript:alert(1)", "scheme"),
    ("gopher://8.8.8.8/", "scheme"), ("8.8.8.8/hook", "scheme"), ("http:///hook", "host"),
    ("http://user:secret@8.8.8.8/", "credentials"), ("http://user@8.8.8.8/", "credentials"),
    ("http://8.8.8.8:99999/", "host"),
])
def test_only_plain_http_and_https_addresses_with_a_host_and_no_credentials(url, reason):
    with pytest.raises(OutboundRefused) as refusal:
        check_url(url)
    assert refusal.value.reason == reason


def test_an_allowed_network_is_let_through_and_nothing_else(app, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", ["127.0.0.0/8"])
    check_url("http://127.0.0.1/")
    check_url("http://2130706433/")
    check_url("http://[::ffff:127.0.0.1]/")
    with pytest.raises(OutboundRefused):
        check_url("http://10.0.0.1/")
    with pytest.raises(OutboundRefused):
        check_url("http://169.254.169.254/")


# At send time -------------------------------------------------------------------------------------------

def test_the_guarded_session_reaches_an_allowed_address_and_says_where_it_connected(receiver, allow_loopback):
    response = guarded_session("test").get(receiver.url("/hello", host="localhost"), timeout=5)
    assert response.status_code == 200
    assert response.connected_address in ("127.0.0.1", "::1")
    assert receiver.requests_to("/hello")[0].headers["Host"] == f"localhost:{receiver.port}"


def test_an_address_allowed_when_checked_is_refused_when_the_connection_is_made(app, receiver, monkeypatch):
    # Stands for DNS rebinding: the check passed, then the host's address changed to one that is refused.
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", list(LOOPBACK))
    check_url(receiver.url("/hook"))
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", [])
    session = guarded_session("test")
    with pytest.raises(OutboundRefused) as refusal:
        session.post(receiver.url("/hook"), data=b"{}", timeout=5)
    assert refusal.value.address == "127.0.0.1"
    assert receiver.requests_to("/hook") == []


def test_numeric_forms_are_refused_when_the_connection_is_made(receiver):
    session = guarded_session("test")
    for host in ("2130706433", "0x7f.1", "017700000001"):
        with pytest.raises(OutboundRefused):
            session.get(f"http://{host}:{receiver.port}/", timeout=5)
    assert receiver.received == []


def test_redirects_are_not_followed_by_the_session(receiver, allow_loopback):
    receiver.script("/moved", Answer(302, {"Location": "/elsewhere"}))
    response = checked_request(guarded_session("test"), "GET", receiver.url("/moved"), timeout=5)
    assert response.status_code == 302
    assert receiver.requests_to("/elsewhere") == []


def test_proxies_from_the_environment_are_not_used(receiver, allow_loopback, monkeypatch):
    with Receiver() as proxy:
        # A working proxy named by the environment, with nothing exempted from it: an ordinary session sends
        # its request there, so the guarded session reaching the receiver directly shows it ignored the proxy.
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.url())
        requests.get(receiver.url("/through-the-proxy"), timeout=5)
        assert [request.path for request in proxy.received] == [receiver.url("/through-the-proxy")]

        response = guarded_session("test").get(receiver.url("/direct"), timeout=5)
        assert response.status_code == 200
        assert [request.path for request in receiver.received] == ["/direct"]
        assert len(proxy.received) == 1, "the guarded session sent nothing to the proxy"


def test_credentials_in_the_address_are_refused_before_sending(receiver, allow_loopback):
    with pytest.raises(OutboundRefused):
        checked_request(guarded_session("test"), "GET", f"http://a:b@127.0.0.1:{receiver.port}/", timeout=5)
    assert receiver.received == []


def test_a_closed_port_is_a_connection_error_not_a_refusal(allow_loopback):
    with pytest.raises(requests.ConnectionError):
        guarded_session("test").get(f"http://127.0.0.1:{free_port()}/", timeout=5)


@pytest.fixture
def tls_receiver(tmp_path) -> Iterator[tuple[Receiver, str]]:
    """A real HTTPS server on loopback with a certificate for the name "localhost" only, and the certificate."""
    if shutil.which("openssl") is None:
        message = "openssl is needed to make a test certificate: apt-get install openssl"
        if IN_CI:
            pytest.fail(f"{message} (CI must run the TLS test, not skip it)", pytrace=False)
        pytest.skip(message)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with Receiver(tls=context) as server:
        yield server, str(cert)


def test_tls_is_verified_for_the_host_name_while_connecting_to_the_checked_address(tls_receiver, allow_loopback):
    server, cert = tls_receiver
    session = guarded_session("test")
    response = session.get(server.url(host="localhost"), verify=cert, timeout=5)
    assert response.status_code == 200
    assert response.connected_address == "127.0.0.1"
    assert [request.headers["Host"] for request in server.received] == [f"localhost:{server.port}"]
    # The certificate names "localhost", not the address: verification is on, and uses the name asked for.
    with pytest.raises(requests.exceptions.SSLError):
        session.get(server.url(), verify=cert, timeout=5)
