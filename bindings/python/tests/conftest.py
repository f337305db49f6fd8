"""Fixtures of the Python bindings' tests.

The generated module `mikey_sakke_ffi` must be importable: uniffi's Python
loads `libmikey_sakke_ffi.so` from the module's own directory, so put the
generated `mikey_sakke_ffi.py` and the library side by side in a directory
on PYTHONPATH (`.ci/python-tests.sh LIB_PATH GEN_DIR` does that).

The tests run against the KMS testbed (`msk testbed --env-file F`, then
`set -a; source F; set +a`). Without its variables they fail, unless
MSK_BINDINGS_ALLOW_SKIP=1, then they are skipped.
"""

import asyncio
import os
import threading
from dataclasses import dataclass

import pytest

import mikey_sakke_ffi as ffi

ENV_VARS = (
    "MSK_TESTBED_CA",
    "MSK_KMS_A_URL",
    "MSK_KMS_A_URI",
    "MSK_KMS_B_URL",
    "MSK_KMS_B_URI",
    "MSK_ALICE_URI",
    "MSK_ALICE_TOKEN",
    "MSK_BOB_URI",
    "MSK_BOB_TOKEN",
    "MSK_CAROL_URI",
    "MSK_CAROL_TOKEN",
)

# The file key store's passphrase (at least 16 octets).
PASSPHRASE = b"python-bindings-test-passphrase"


class MemoryKeyStore(ffi.KeyStore):
    """An app-implemented key store (the foreign trait), kept in memory."""

    def __init__(self):
        self._blobs = {}
        self._lock = threading.Lock()
        self.calls = []

    def load(self, user_uri):
        with self._lock:
            self.calls.append(("load", user_uri))
            return self._blobs.get(user_uri)

    def save(self, user_uri, blob):
        if not isinstance(blob, bytes) or not blob:
            raise ffi.KeyStoreFailure.Failed(f"bad blob for {user_uri}")
        with self._lock:
            self.calls.append(("save", user_uri))
            self._blobs[user_uri] = bytes(blob)

    def delete(self, user_uri):
        with self._lock:
            self.calls.append(("delete", user_uri))
            self._blobs.pop(user_uri, None)


@pytest.fixture(scope="session")
def env():
    missing = [name for name in ENV_VARS if not os.environ.get(name)]
    if missing:
        message = (
            "KMS testbed variables missing: " + ", ".join(missing)
            + " (run `msk testbed --env-file F`, then `set -a; source F; set +a`)"
        )
        if os.environ.get("MSK_BINDINGS_ALLOW_SKIP") == "1":
            pytest.skip(message)
        pytest.fail(message)
    values = {name: os.environ[name] for name in ENV_VARS}
    with open(values["MSK_TESTBED_CA"], encoding="ascii") as f:
        values["CA_PEM"] = f.read()
    return values


def _kms_client(env, kms, user, token=None):
    return ffi.KmsClient(
        ffi.KmsClientConfig(
            server_url=env[f"MSK_KMS_{kms}_URL"],
            user_uri=env[f"MSK_{user}_URI"],
            token=env[f"MSK_{user}_TOKEN"] if token is None else token,
            ca_pem=env["CA_PEM"],
            timeout_ms=20_000,
        )
    )


@pytest.fixture
def kms_client(env):
    """kms_client("A", "ALICE", token=None): a KmsClient of a testbed user."""
    return lambda kms, user, token=None: _kms_client(env, kms, user, token)


@pytest.fixture
def memory_key_store():
    """The MemoryKeyStore class (an app-implemented KeyStore)."""
    return MemoryKeyStore


@dataclass
class World:
    env: dict
    key_dir: str
    passphrase: bytes
    file_store: ffi.KeyStore
    carol_store: MemoryKeyStore
    alice_user: ffi.ProvisionedUser
    bob_user: ffi.ProvisionedUser
    carol_user: ffi.ProvisionedUser
    alice: ffi.Device
    bob: ffi.Device
    carol: ffi.Device
    alice_peer: ffi.Peer
    bob_peer: ffi.Peer


@pytest.fixture(scope="session")
def world(env, tmp_path_factory):
    """Alice (KMS A) and bob (KMS B) provisioned into an encrypted file key
    store in a fresh directory, carol (KMS A) into a MemoryKeyStore; their
    devices open."""
    key_dir = str(tmp_path_factory.mktemp("keystore"))
    file_store = ffi.encrypted_file_key_store(key_dir, PASSPHRASE)
    carol_store = MemoryKeyStore()

    async def provision_all():
        # The three provisionings run concurrently on one event loop.
        return await asyncio.gather(
            _kms_client(env, "A", "ALICE").provision(file_store),
            _kms_client(env, "B", "BOB").provision(file_store),
            _kms_client(env, "A", "CAROL").provision(carol_store),
        )

    alice_user, bob_user, carol_user = asyncio.run(provision_all())
    return World(
        env=env,
        key_dir=key_dir,
        passphrase=PASSPHRASE,
        file_store=file_store,
        carol_store=carol_store,
        alice_user=alice_user,
        bob_user=bob_user,
        carol_user=carol_user,
        alice=ffi.Device.open(file_store, env["MSK_ALICE_URI"]),
        bob=ffi.Device.open(file_store, env["MSK_BOB_URI"]),
        carol=ffi.Device.open(carol_store, env["MSK_CAROL_URI"]),
        alice_peer=ffi.Peer(uri=env["MSK_ALICE_URI"], kms_uri=env["MSK_KMS_A_URI"]),
        bob_peer=ffi.Peer(uri=env["MSK_BOB_URI"], kms_uri=env["MSK_KMS_B_URI"]),
    )

