"""The gateway's ports: change events reach a gateway's own caches, `close()` ends the subscription,
and the hashlib/hmac SigV4 computes what botocore's signer does."""

import gc

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from labkit.gateway import Gateway, VirtualClock
from labkit.gateway.auth import sigv4
from labkit.gateway.ports import Change


class FakeSource:
    """Only what a Gateway's constructor touches: subscribe."""

    account_id, region = "123456789012", "us-east-1"

    def __init__(self):
        self.listeners = []

    def subscribe(self, listener):
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    def publish(self, change):
        for listener in list(self.listeners):
            listener(change)


def test_flush_events_reach_the_gateways_own_caches_until_close():
    source = FakeSource()
    gw = Gateway(source, VirtualClock())
    assert len(source.listeners) == 1
    store = gw.caches.for_stage("api", "dev", "0.5")
    from labkit.gateway.http import Response
    store.put(("k",), Response(200, body=b"x"), ttl=60, now=0)
    gw.authorizer_cache.put(("api", "dev", "auth", ("t",)), object(), expires=60)
    source.publish(Change("flush-stage-cache", "api", "dev"))
    assert len(store) == 0
    source.publish(Change("flush-authorizers-cache", "api", "dev"))
    assert gw.authorizer_cache.get(("api", "dev", "auth", ("t",)), now=0) is None
    gw.close()
    gw.close()
    assert source.listeners == []


def test_a_gateway_dropped_without_close_unsubscribes_when_collected():
    source = FakeSource()
    gw = Gateway(source, VirtualClock())
    assert len(source.listeners) == 1
    del gw
    gc.collect()
    assert source.listeners == []


@pytest.mark.parametrize("method,url,body,extra", [
    ("GET", "https://abc.execute-api.us-east-1.amazonaws.com/dev/pets", b"", {}),
    ("GET", "https://abc.execute-api.us-east-1.amazonaws.com/dev/pets/a%20b?z=1&a=2&a=1", b"", {}),
    ("POST", "https://127.0.0.1:8080/restapis/abc/dev/_user_request_/a/./b/../c", b'{"x": 1}',
     {"Content-Type": "application/json", "X-Custom": "  two   spaces "}),
    ("PUT", "https://abc.execute-api.us-east-1.amazonaws.com/dev", b"data", {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}),
])
def test_sigv4_matches_botocore(method, url, body, extra):
    from urllib.parse import urlsplit

    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session")
    request = AWSRequest(method=method, url=url, data=body, headers=dict(extra))
    signer = SigV4Auth(credentials, "execute-api", "us-east-1")
    signer.add_auth(request)
    amz_date = request.context["timestamp"]
    parts = urlsplit(url)
    authorization = request.headers["Authorization"]
    del request.headers["Authorization"]
    signed_names = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    headers = {name: (parts.netloc if name == "host" else request.headers[name]) for name in signed_names}
    canonical = sigv4.canonical_request(method, parts.path, parts.query, headers, body)
    assert canonical == signer.canonical_request(request)
    expected = authorization.rsplit("Signature=", 1)[1]
    assert sigv4.signature(credentials.secret_key, amz_date, "us-east-1", "execute-api", canonical) == expected
