// What an app does with the SDK, end to end, in one process: the caller
// (alice) and the callee (bob) would normally be two phones exchanging the
// SDP offer through the SIP server.
//
// Runs against `msk testbed` (set -a; source F; set +a):
//   swift run --package-path examples/swift
import Foundation
import MikeySakke

func env(_ name: String) -> String {
    guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else {
        FileHandle.standardError.write(Data("\(name) is not set (source the msk testbed env file)\n".utf8))
        exit(2)
    }
    return v
}

/// An app's key store. On iOS use `KeychainKeyStore()` instead; this one
/// forgets the keys when the process ends.
final class MemoryKeyStore: KeyStore, @unchecked Sendable {
    private let lock = NSLock()
    private var blobs: [String: Data] = [:]
    func load(userUri: String) throws -> Data? { lock.lock(); defer { lock.unlock() }; return blobs[userUri] }
    func save(userUri: String, blob: Data) throws { lock.lock(); defer { lock.unlock() }; blobs[userUri] = blob }
    func delete(userUri: String) throws { lock.lock(); defer { lock.unlock() }; blobs[userUri] = nil }
}

func main() async throws {
    let ca = try String(contentsOfFile: env("MSK_TESTBED_CA"), encoding: .utf8)

    // 1. Provisioning: once per key period (monthly), not per call.
    //    `caPem: nil` trusts the system's roots (a production KMS).
    let aliceStore = MemoryKeyStore()
    let (alice, aliceDevice) = try await MikeySakke.provisionAndOpen(
        serverURL: env("MSK_KMS_A_URL"), userUri: env("MSK_ALICE_URI"),
        token: env("MSK_ALICE_TOKEN"), caPem: ca, store: aliceStore)
    let bobStore = MemoryKeyStore()
    let (bob, bobDevice) = try await MikeySakke.provisionAndOpen(
        serverURL: env("MSK_KMS_B_URL"), userUri: env("MSK_BOB_URI"),
        token: env("MSK_BOB_TOKEN"), caPem: ca, store: bobStore)
    print("provisioned \(alice.userUri) (\(alice.kmsUri)) and \(bob.userUri) (\(bob.kmsUri))")

    // 2. The caller makes the I_MESSAGE and puts it in the SDP offer.
    let call = try aliceDevice.initiatePrivateCall(peer: bob.peer)
    let offer = "v=0\r\ns=-\r\nt=0 0\r\n" + (try Sdp.keyMgmtAttribute(call.message))
        + "\r\nm=audio 49170 RTP/SAVP 0\r\n"

    // 3. The callee takes it out of the offer and checks who is calling.
    let incoming = try bobDevice.receive(message: try Sdp.message(from: offer))
    print("bob receives a \(incoming.kind) call from \(incoming.initiatorUri ?? "(identity hidden)") via \(incoming.initiatorKmsUri)")

    // 4. Media: each side makes its SRTP session; the keys never leave
    //    Rust and are wiped when the MediaSession goes away.
    let aliceMedia = try MediaSession(key: call.key)
    let bobMedia = try MediaSession(key: incoming.key)
    var rtp = Data([0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0, 0xde, 0xad, 0xbe, 0xef])
    rtp.append(Data(repeating: 0xd5, count: 160)) // 20 ms of G.711 silence
    let srtp = try aliceMedia.protectRTP(rtp)
    let back = try bobMedia.unprotectRTP(srtp)
    print("RTP \(rtp.count) octets -> SRTP \(srtp.count) octets -> \(back == rtp ? "same packet" : "MISMATCH")")
    guard back == rtp else { exit(1) }

    // 5. Hang up: erase the call's keys now rather than at deinit.
    aliceMedia.close()
    bobMedia.close()
    call.key.wipe()
    incoming.key.wipe()
}

do {
    try await main()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
