import Foundation
import XCTest
import MikeySakke

/// The common scenario of the bindings test suites (Kotlin, Swift, Python),
/// against the KMS servers of `msk testbed`.
final class MikeySakkeTests: XCTestCase {

    func testProvisioning() async throws {
        let w = try await WorldCache.shared.get()
        XCTAssertEqual(w.alice.userUri, w.testbed.alice.uri)
        XCTAssertEqual(w.alice.kmsUri, w.testbed.kmsA.uri)
        XCTAssertEqual(w.bob.kmsUri, w.testbed.kmsB.uri)
        XCTAssertEqual(w.carol.kmsUri, w.testbed.kmsA.uri)
        XCTAssertEqual(w.alice.keyPeriods.count, 2)
        XCTAssertEqual(w.bob.keyPeriods.count, 2)
        XCTAssertTrue(w.alice.trustedKmsUris.contains("kms.org-b.example"),
                      "\(w.alice.trustedKmsUris)")
        // carol's keys went through the app-implemented store.
        XCTAssertEqual(w.carolStore.count, 1)
        XCTAssertNotNil(try w.carolStore.load(userUri: w.carol.userUri))
        XCTAssertEqual(try w.aliceDevice.info().userUri, w.alice.userUri)
        XCTAssertEqual(try w.carolDevice.info(), w.carol)
    }

    func testPrivateCallThroughSdpAndSrtp() async throws {
        let w = try await WorldCache.shared.get()
        let call = try w.aliceDevice.initiatePrivateCall(peer: w.bob.peer)
        XCTAssertEqual(call.key.kind(), .privateCall)

        // The I_MESSAGE travels in the SDP offer.
        let line = try Sdp.keyMgmtAttribute(call.message)
        XCTAssertTrue(line.hasPrefix("a=key-mgmt:mikey "), line)
        let sdp = "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
            + line + "\r\nm=audio 49170 RTP/SAVP 0\r\n"
        let message = try Sdp.message(from: sdp)
        XCTAssertEqual(message, call.message)

        let received = try w.bobDevice.receive(message: message)
        // Identities are hidden (TS 33.180 E.7: the message carries UIDs):
        // the app binds the caller URI from SIP with checkInitiator.
        XCTAssertNil(received.initiatorUri)
        try received.key.checkInitiator(uri: w.alice.userUri)
        assertThrows("wrong caller", { try received.key.checkInitiator(uri: w.bob.userUri) }) {
            if case .VerificationFailed = $0 { return true }; return false
        }
        XCTAssertEqual(received.initiatorKmsUri, w.testbed.kmsA.uri)
        XCTAssertEqual(received.kind, .privateCall)
        XCTAssertNil(received.groupId)
        XCTAssertEqual(received.key.keyId(), call.key.keyId())

        let aliceMedia = try MediaSession(key: call.key)
        let bobMedia = try MediaSession(key: received.key)
        XCTAssertGreaterThan(try aliceMedia.maxOverhead, 0)

        // alice -> bob
        let packet = rtpPacket(seq: 1, ssrc: 0x1111_1111)
        let protected = try aliceMedia.protectRTP(packet)
        XCTAssertGreaterThan(protected.count, packet.count)
        XCTAssertEqual(try bobMedia.unprotectRTP(protected), packet)
        // bob -> alice
        let reply = rtpPacket(seq: 7, ssrc: 0x2222_2222, fill: 0xa5)
        XCTAssertEqual(try aliceMedia.unprotectRTP(try bobMedia.protectRTP(reply)), reply)

        // The same packet again is a replay.
        assertThrows("replayed SRTP", { try bobMedia.unprotectRTP(protected) }) {
            if case .StaleOrReplayed = $0 { return true }; return false
        }
        // A flipped payload bit fails authentication.
        var tampered = try aliceMedia.protectRTP(rtpPacket(seq: 2, ssrc: 0x1111_1111))
        tampered[20] ^= 0x01
        assertThrows("tampered SRTP", { try bobMedia.unprotectRTP(tampered) }) {
            if case .VerificationFailed = $0 { return true }; return false
        }
        // The untampered next packet still goes through.
        let next = rtpPacket(seq: 3, ssrc: 0x1111_1111)
        XCTAssertEqual(try bobMedia.unprotectRTP(try aliceMedia.protectRTP(next)), next)

        // The same I_MESSAGE again is a replay.
        assertThrows("replayed I_MESSAGE", { try w.bobDevice.receive(message: message) }) {
            if case .StaleOrReplayed = $0 { return true }; return false
        }
    }

    func testGarbageMessageIsMalformed() async throws {
        let w = try await WorldCache.shared.get()
        assertThrows("garbage", { try w.bobDevice.receive(message: "bm90IGEgTUlLRVkgbWVzc2FnZQ==") }) {
            if case .MalformedMessage = $0 { return true }; return false
        }
        assertThrows("not base64", { try w.bobDevice.receive(message: "%%% not a message") }) {
            if case .MalformedMessage = $0 { return true }; return false
        }
    }

    func testMessageForSomeoneElseIsRejected() async throws {
        let w = try await WorldCache.shared.get()
        let call = try w.aliceDevice.initiatePrivateCall(peer: w.bob.peer)
        assertThrows("carol receives bob's message", { try w.carolDevice.receive(message: call.message) }) { _ in true }
    }

    func testGroupKey() async throws {
        let w = try await WorldCache.shared.get()
        let messages = try w.carolDevice.initiateGroupKey(
            groupId: "group-1", members: [w.alice.peer, w.bob.peer])
        XCTAssertEqual(Set(messages.map(\.memberUri)), [w.alice.userUri, w.bob.userUri])
        func receive(_ device: Device, _ uri: String) throws -> ReceivedCall {
            let m = try XCTUnwrap(messages.first { $0.memberUri == uri })
            let r = try device.receive(message: m.message)
            XCTAssertEqual(r.kind, .group)
            XCTAssertEqual(r.groupId, "group-1")
            XCTAssertEqual(r.initiatorKmsUri, w.testbed.kmsA.uri)
            return r
        }
        let a = try receive(w.aliceDevice, w.alice.userUri)
        let b = try receive(w.bobDevice, w.bob.userUri)
        XCTAssertEqual(a.key.keyId(), b.key.keyId())

        let aliceMedia = try MediaSession(key: a.key)
        let bobMedia = try MediaSession(key: b.key)
        XCTAssertNotEqual(try aliceMedia.mki, try bobMedia.mki)
        let packet = rtpPacket(seq: 100, ssrc: 0x3333_3333)
        XCTAssertEqual(try bobMedia.unprotectRTP(try aliceMedia.protectRTP(packet)), packet)
    }

    func testWipe() async throws {
        let w = try await WorldCache.shared.get()
        let call = try w.aliceDevice.initiatePrivateCall(peer: w.bob.peer)
        let media = try MediaSession(key: call.key)
        let packet = rtpPacket(seq: 1, ssrc: 0x4444_4444)
        _ = try media.protectRTP(packet)
        media.close()
        assertThrows("protect after close", { try media.protectRTP(packet) }) {
            if case .InvalidInput = $0 { return true }; return false
        }

        // deinit wipes: a session shared with the wrapper is unusable once
        // the wrapper goes away.
        let raw = try call.key.srtpSession()
        do { _ = MediaSession(raw) }
        assertThrows("session after deinit", { try raw.protectRtp(packet: packet) }) {
            if case .InvalidInput = $0 { return true }; return false
        }

        call.key.wipe()
        assertThrows("session of a wiped key", { try call.key.srtpSession() }) {
            if case .InvalidInput = $0 { return true }; return false
        }
    }

    func testWrongTokenIsKmsError() async throws {
        let w = try await WorldCache.shared.get()
        do {
            _ = try await MikeySakke.provision(
                serverURL: w.testbed.kmsA.url, userUri: w.testbed.alice.uri,
                token: "not-the-token", caPem: w.testbed.caPem, timeout: 30,
                into: InMemoryKeyStore())
            XCTFail("provisioning with a wrong token succeeded")
        } catch let e as MikeySakkeError {
            guard case .Kms = e else { return XCTFail("unexpected \(e)") }
        }
    }

    func testKeyStoreFailureReachesTheCaller() async throws {
        final class BrokenStore: KeyStore, @unchecked Sendable {
            func load(userUri: String) throws -> Data? { throw KeyStoreFailure.Failed(reason: "broken") }
            func save(userUri: String, blob: Data) throws { throw KeyStoreFailure.Failed(reason: "broken") }
            func delete(userUri: String) throws { throw KeyStoreFailure.Failed(reason: "broken") }
        }
        let w = try await WorldCache.shared.get()
        XCTAssertThrowsError(try Device.open(store: BrokenStore(), userUri: w.alice.userUri))
    }
}
