"""The common scenario of the bindings' tests, in Python: provisioning from
the testbed's two KMSs, a private call through SDP, SRTP both ways, the
error cases, a group key, wipe, and a wrong token."""

import asyncio
import os

import pytest

import mikey_sakke_ffi as ffi

Err = ffi.MikeySakkeError


def rtp_packet(seq, ssrc=0x1234ABCD, payload_len=160):
    """A 12-octet RTP header (V=2, PT 0) followed by `payload_len` octets."""
    header = bytes([0x80, 0x00]) + seq.to_bytes(2, "big")
    header += (seq * 160).to_bytes(4, "big") + ssrc.to_bytes(4, "big")
    return header + bytes((seq + i) & 0xFF for i in range(payload_len))


@pytest.fixture
def private_call(world):
    """A fresh private call alice -> bob, carried in SDP; bob has received
    it."""
    initiated = world.alice.initiate_private_call(world.bob_peer)
    line = ffi.sdp_key_mgmt_attribute(initiated.message)
    sdp = (
        "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
        f"t=0 0\r\n{line}\r\nm=audio 49170 RTP/SAVP 0\r\n"
    )
    message = ffi.message_from_sdp(sdp)
    received = world.bob.receive(message)
    return initiated, line, message, received


def test_provisioned_users(world):
    env = world.env
    a, b, c = world.alice_user, world.bob_user, world.carol_user
    assert (a.user_uri, a.kms_uri) == (env["MSK_ALICE_URI"], env["MSK_KMS_A_URI"])
    assert (b.user_uri, b.kms_uri) == (env["MSK_BOB_URI"], env["MSK_KMS_B_URI"])
    assert (c.user_uri, c.kms_uri) == (env["MSK_CAROL_URI"], env["MSK_KMS_A_URI"])
    assert env["MSK_KMS_A_URI"] == "kms.org-a.example"
    assert env["MSK_KMS_B_URI"] == "kms.org-b.example"
    for user in (a, b, c):
        # The current and the next key period, in order.
        assert len(user.key_periods) == 2
        assert user.key_periods[0] < user.key_periods[1]
    assert "kms.org-b.example" in a.trusted_kms_uris
    assert "kms.org-a.example" in b.trusted_kms_uris
    # Users of the same KMS get the same key periods.
    assert a.key_periods == c.key_periods


def test_device_info_matches_provisioning(world):
    for device, user in (
        (world.alice, world.alice_user),
        (world.bob, world.bob_user),
        (world.carol, world.carol_user),
    ):
        info = device.info()
        assert info.user_uri == user.user_uri
        assert info.kms_uri == user.kms_uri
        assert info.key_periods == user.key_periods
        assert sorted(info.trusted_kms_uris) == sorted(user.trusted_kms_uris)


def test_encrypted_file_key_store(world):
    # One encrypted file per user.
    files = sorted(os.listdir(world.key_dir))
    assert len(files) == 2 and all(f.endswith(".keys") for f in files)
    # Another store on the same directory and passphrase opens the keys.
    store = ffi.encrypted_file_key_store(world.key_dir, world.passphrase)
    assert ffi.Device.open(store, world.env["MSK_BOB_URI"]).info().kms_uri == (
        world.env["MSK_KMS_B_URI"]
    )
    # A wrong passphrase does not (the store's failure is an internal error).
    wrong = ffi.encrypted_file_key_store(world.key_dir, b"x" * 16)
    with pytest.raises(Err.Internal) as e:
        ffi.Device.open(wrong, world.env["MSK_ALICE_URI"])
    assert "does not decrypt" in e.value.reason


def test_memory_key_store_is_used(world):
    carol = world.env["MSK_CAROL_URI"]
    store = world.carol_store
    assert ("save", carol) in store.calls
    assert ("load", carol) in store.calls
    blob = store.load(carol)
    assert isinstance(blob, bytes) and len(blob) > 100
    # The stored blob opens again; an unknown user has no keys.
    assert ffi.Device.open(store, carol).info().user_uri == carol
    with pytest.raises(Err.KeyNotValid):
        ffi.Device.open(store, "sip:nobody@org-a.example")


def test_private_call_through_sdp(world, private_call):
    initiated, line, message, received = private_call
    # The text form of a message is "mikey <base64>" (RFC 4567 §3.1).
    assert initiated.message.startswith("mikey ")
    assert line == "a=key-mgmt:" + initiated.message
    assert message == initiated.message
    assert ffi.message_from_sdp(line) == initiated.message
    assert received.initiator_kms_uri == world.env["MSK_KMS_A_URI"]
    assert received.kind == ffi.KeyKind.PRIVATE_CALL
    assert received.group_id is None
    assert initiated.key.kind() == ffi.KeyKind.PRIVATE_CALL
    assert received.key.kind() == ffi.KeyKind.PRIVATE_CALL
    assert received.key.key_id() == initiated.key.key_id()


def test_received_call_binds_the_hidden_initiator(world, private_call):
    _, _, _, received = private_call
    # Identities are hidden (TS 33.180 E.7): the message carries UIDs, and
    # the receiver binds the caller URI from SIP with check_initiator.
    assert received.initiator_uri is None
    received.key.check_initiator(world.env["MSK_ALICE_URI"])
    with pytest.raises(ffi.MikeySakkeError.VerificationFailed):
        received.key.check_initiator(world.env["MSK_BOB_URI"])


def test_srtp_both_directions(private_call):
    initiated, _, _, received = private_call
    alice = initiated.key.srtp_session()
    bob = received.key.srtp_session()
    # Both directions carry the PCK-ID as MKI (TS 33.180 §7.4).
    pck_id = initiated.key.key_id().to_bytes(4, "big")
    assert alice.mki() == bob.mki() == pck_id
    for seq in (1, 2, 3):
        packet = rtp_packet(seq)
        assert len(packet) == 172
        protected = alice.protect_rtp(packet)
        assert protected != packet
        assert protected[:12] == packet[:12]
        assert 172 < len(protected) <= 172 + alice.max_overhead()
        assert bob.unprotect_rtp(protected) == packet

        reply = rtp_packet(seq, ssrc=0x0BADCAFE)
        assert alice.unprotect_rtp(bob.protect_rtp(reply)) == reply
    # A session does not accept its own packets (the directions' keys differ).
    with pytest.raises(Err.VerificationFailed):
        alice.unprotect_rtp(alice.protect_rtp(rtp_packet(4)))


def test_srtp_exported_key_material(private_call):
    initiated, _, _, received = private_call
    alice = initiated.key.srtp_session()
    bob = received.key.srtp_session()
    a, b = alice.export_key_material(), bob.export_key_material()
    assert a.profile and a.profile == b.profile
    assert len(a.master_key) in (16, 32) and len(a.master_salt) in (12, 14)
    assert a.mki == alice.mki() and b.mki == bob.mki()
    # The two directions use different keys.
    assert a.master_key != b.master_key


def test_srtp_replay_and_tampering(private_call):
    initiated, _, _, received = private_call
    alice = initiated.key.srtp_session()
    bob = received.key.srtp_session()
    protected = alice.protect_rtp(rtp_packet(10))
    assert bob.unprotect_rtp(protected) == rtp_packet(10)
    with pytest.raises(Err.StaleOrReplayed):
        bob.unprotect_rtp(protected)

    tampered = bytearray(alice.protect_rtp(rtp_packet(11)))
    tampered[12 + 20] ^= 0x01  # one payload bit
    with pytest.raises(Err.VerificationFailed):
        bob.unprotect_rtp(bytes(tampered))
    # The genuine packet still passes after the forgery was rejected.
    tampered[12 + 20] ^= 0x01
    assert bob.unprotect_rtp(bytes(tampered)) == rtp_packet(11)


def test_srtcp_both_directions(private_call):
    initiated, _, _, received = private_call
    alice = initiated.key.srtp_session()
    bob = received.key.srtp_session()
    # An RTCP receiver report: V=2, RC=0, PT=201, length 1, SSRC.
    rtcp = bytes([0x80, 201, 0x00, 0x01]) + (0x1234ABCD).to_bytes(4, "big")
    assert bob.unprotect_rtcp(alice.protect_rtcp(rtcp)) == rtcp
    assert alice.unprotect_rtcp(bob.protect_rtcp(rtcp)) == rtcp


def test_same_message_again_is_replay(world, private_call):
    _, _, message, _ = private_call
    with pytest.raises(Err.StaleOrReplayed):
        world.bob.receive(message)


def test_garbage_message_is_malformed(world):
    with pytest.raises(Err.MalformedMessage) as e:
        world.bob.receive("AQIDBAUGBwgJCgsMDQ4PEA==")
    assert e.value.reason
    with pytest.raises(Err):
        ffi.message_from_sdp("v=0\r\ns=-\r\n")


def test_message_for_another_user_is_rejected(world):
    message = world.alice.initiate_private_call(world.bob_peer).message
    with pytest.raises(Err.KeyNotValid) as e:
        world.carol.receive(message)
    assert "not addressed to this receiver" in e.value.reason
    # Bob, the addressee, still accepts it.
    received = world.bob.receive(message)
    assert received.initiator_kms_uri == world.env["MSK_KMS_A_URI"]


def test_group_key(world):
    members = [world.alice_peer, world.bob_peer]
    messages = world.carol.initiate_group_key("group-1", members)
    assert [m.member_uri for m in messages] == [p.uri for p in members]
    by_uri = {m.member_uri: m.message for m in messages}
    alice_rx = world.alice.receive(by_uri[world.alice_peer.uri])
    bob_rx = world.bob.receive(by_uri[world.bob_peer.uri])
    for rx in (alice_rx, bob_rx):
        assert rx.kind == ffi.KeyKind.GROUP
        assert rx.group_id == "group-1"
        assert rx.initiator_kms_uri == world.env["MSK_KMS_A_URI"]
        assert rx.key.kind() == ffi.KeyKind.GROUP
    assert alice_rx.key.key_id() == bob_rx.key.key_id()

    alice = alice_rx.key.srtp_session()
    bob = bob_rx.key.srtp_session()
    # MKI = GMK-ID || the sender's GUK-ID (TS 33.180 §7.4).
    gmk_id = alice_rx.key.key_id().to_bytes(4, "big")
    assert alice.mki()[:4] == bob.mki()[:4] == gmk_id
    assert len(alice.mki()) == len(bob.mki()) == 8
    assert alice.mki() != bob.mki()
    packet = rtp_packet(100, ssrc=0xA11CE)
    assert bob.unprotect_rtp(alice.protect_rtp(packet)) == packet
    reply = rtp_packet(200, ssrc=0xB0B)
    assert alice.unprotect_rtp(bob.protect_rtp(reply)) == reply


def test_wipe(private_call):
    initiated, _, _, received = private_call
    session = initiated.key.srtp_session()
    packet = session.protect_rtp(rtp_packet(1))
    session.wipe()
    with pytest.raises(Err.InvalidInput):
        session.protect_rtp(rtp_packet(2))
    with pytest.raises(Err.InvalidInput):
        session.mki()
    # Wiping a key invalidates the sessions it gives afterwards.
    received.key.wipe()
    with pytest.raises(Err.InvalidInput):
        received.key.srtp_session()
    assert packet  # protected before the wipe


def test_wiped_device(world):
    device = ffi.Device.open(world.carol_store, world.env["MSK_CAROL_URI"])
    device.wipe()
    with pytest.raises(Err.InvalidInput):
        device.info()
    with pytest.raises(Err.InvalidInput):
        device.initiate_private_call(world.bob_peer)


def test_wrong_token_is_kms_error(env, memory_key_store, kms_client):
    store = memory_key_store()
    client = kms_client("A", "ALICE", token="not-the-token")
    with pytest.raises(Err.Kms):
        asyncio.run(client.provision(store))
    assert not any(call[0] == "save" for call in store.calls)


def test_short_passphrase_is_invalid(tmp_path):
    with pytest.raises(Err.InvalidInput):
        ffi.encrypted_file_key_store(str(tmp_path), b"short")
