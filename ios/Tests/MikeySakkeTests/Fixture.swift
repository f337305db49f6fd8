import Foundation
import XCTest
import MikeySakke

/// An app-implemented key store (exercises the foreign `KeyStore` trait).
final class InMemoryKeyStore: KeyStore, @unchecked Sendable {
    private let lock = NSLock()
    private var blobs: [String: Data] = [:]

    func load(userUri: String) throws -> Data? {
        lock.lock(); defer { lock.unlock() }
        return blobs[userUri]
    }

    func save(userUri: String, blob: Data) throws {
        lock.lock(); defer { lock.unlock() }
        blobs[userUri] = blob
    }

    func delete(userUri: String) throws {
        lock.lock(); defer { lock.unlock() }
        blobs[userUri] = nil
    }

    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return blobs.count
    }
}

/// The testbed's environment (`msk testbed --env-file F`, sourced).
struct Testbed {
    let caPem: String
    let kmsA: (url: String, uri: String)
    let kmsB: (url: String, uri: String)
    let alice: (uri: String, token: String)
    let bob: (uri: String, token: String)
    let carol: (uri: String, token: String)

    /// Fails the test when the variables are missing, unless
    /// MSK_BINDINGS_ALLOW_SKIP=1 (then it skips).
    static func fromEnvironment() throws -> Testbed {
        let env = ProcessInfo.processInfo.environment
        let names = [
            "MSK_TESTBED_CA", "MSK_KMS_A_URL", "MSK_KMS_A_URI", "MSK_KMS_B_URL",
            "MSK_KMS_B_URI", "MSK_ALICE_URI", "MSK_ALICE_TOKEN", "MSK_BOB_URI",
            "MSK_BOB_TOKEN", "MSK_CAROL_URI", "MSK_CAROL_TOKEN",
        ]
        let missing = names.filter { (env[$0] ?? "").isEmpty }
        if !missing.isEmpty {
            let why = "testbed variables missing: \(missing.joined(separator: " ")) (run msk testbed)"
            if env["MSK_BINDINGS_ALLOW_SKIP"] == "1" {
                throw XCTSkip(why)
            }
            throw FixtureError.missingTestbed(why)
        }
        let v = { (name: String) in env[name]! }
        return Testbed(
            caPem: try String(contentsOfFile: v("MSK_TESTBED_CA"), encoding: .utf8),
            kmsA: (v("MSK_KMS_A_URL"), v("MSK_KMS_A_URI")),
            kmsB: (v("MSK_KMS_B_URL"), v("MSK_KMS_B_URI")),
            alice: (v("MSK_ALICE_URI"), v("MSK_ALICE_TOKEN")),
            bob: (v("MSK_BOB_URI"), v("MSK_BOB_TOKEN")),
            carol: (v("MSK_CAROL_URI"), v("MSK_CAROL_TOKEN")))
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case missingTestbed(String)
    var description: String {
        switch self {
        case let .missingTestbed(why): return why
        }
    }
}

/// The three provisioned users, made once for the whole suite (each
/// provisioning with the encrypted file store costs Argon2id runs).
struct World: @unchecked Sendable {
    let testbed: Testbed
    let alice: ProvisionedUser
    let bob: ProvisionedUser
    let carol: ProvisionedUser
    let aliceDevice: Device
    let bobDevice: Device
    let carolDevice: Device
    let carolStore: InMemoryKeyStore
    let directory: URL
}

actor WorldCache {
    static let shared = WorldCache()
    private var task: Task<World, Error>?

    func get() async throws -> World {
        if task == nil {
            let testbed = try Testbed.fromEnvironment()
            task = Task { try await WorldCache.make(testbed) }
        }
        return try await task!.value
    }

    private static func make(_ tb: Testbed) async throws -> World {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("msk-swift-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let passphrase = Data("swift test passphrase, 16+ octets".utf8)
        let fileStore = try MikeySakke.encryptedFileStore(directory: directory, passphrase: passphrase)
        let carolStore = InMemoryKeyStore()

        // alice and bob concurrently (two KMSs), carol into the app's store.
        async let alice = MikeySakke.provision(
            serverURL: tb.kmsA.url, userUri: tb.alice.uri, token: tb.alice.token,
            caPem: tb.caPem, timeout: 30, into: fileStore)
        async let bob = MikeySakke.provision(
            serverURL: tb.kmsB.url, userUri: tb.bob.uri, token: tb.bob.token,
            caPem: tb.caPem, timeout: 30, into: fileStore)
        async let carol = MikeySakke.provision(
            serverURL: tb.kmsA.url, userUri: tb.carol.uri, token: tb.carol.token,
            caPem: tb.caPem, timeout: 30, into: carolStore)
        let (a, b, c) = try await (alice, bob, carol)
        return World(
            testbed: tb, alice: a, bob: b, carol: c,
            aliceDevice: try Device.open(store: fileStore, user: a),
            bobDevice: try Device.open(store: fileStore, user: b),
            carolDevice: try Device.open(store: carolStore, user: c),
            carolStore: carolStore, directory: directory)
    }
}

/// A 12-octet RTP header (V=2, PT 0) and a 160-octet payload.
func rtpPacket(seq: UInt16, ssrc: UInt32, fill: UInt8 = 0x5a) -> Data {
    var p = Data([0x80, 0x00, UInt8(seq >> 8), UInt8(seq & 0xff),
                  0x00, 0x00, 0x01, 0x40])
    p.append(contentsOf: withUnsafeBytes(of: ssrc.bigEndian, Array.init))
    p.append(Data((0..<160).map { UInt8(truncatingIfNeeded: $0) ^ fill }))
    return p
}

/// Asserts that `body` throws the MikeySakkeError `matches` accepts.
func assertThrows<T>(
    _ what: String,
    file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> T,
    matches: (MikeySakkeError) -> Bool
) {
    do {
        _ = try body()
        XCTFail("\(what): no error", file: file, line: line)
    } catch let e as MikeySakkeError {
        XCTAssertTrue(matches(e), "\(what): unexpected \(e)", file: file, line: line)
    } catch {
        XCTFail("\(what): unexpected error type \(error)", file: file, line: line)
    }
}
