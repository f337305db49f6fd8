// The idiomatic Swift layer over the generated bindings (MikeySakkeFFI).
// It is deliberately thin: the protocol, the keys and the SRTP state all
// live in Rust; this file only adds Swift conveniences.
import Foundation
@_exported import MikeySakkeFFI

/// Namespace of the SDK's Swift conveniences.
public enum MikeySakke {
    /// Provisions `userUri` from its KMS (TS 33.180 Annex D) and saves the
    /// keys into `store`. The work runs on the Rust runtime; the caller's
    /// task is suspended meanwhile, never blocked.
    ///
    /// - Parameters:
    ///   - caPem: PEM certificates to trust for the KMS's TLS certificate;
    ///     nil: the system's roots (on iOS, whose store the Rust TLS stack
    ///     cannot read, the Mozilla roots). Pass the enterprise CA.
    ///   - timeout: per-request timeout in seconds (nil: 20 s).
    public static func provision(
        serverURL: String,
        userUri: String,
        token: String,
        caPem: String? = nil,
        timeout: TimeInterval? = nil,
        into store: KeyStore
    ) async throws -> ProvisionedUser {
        let ms = timeout.map { UInt32(clamping: Int(($0 * 1000).rounded())) } ?? 0
        let client = try KmsClient(config: KmsClientConfig(
            serverUrl: serverURL, userUri: userUri, token: token,
            caPem: caPem, timeoutMs: ms))
        return try await client.provision(store: store)
    }

    /// Provisions and opens the device in one step.
    public static func provisionAndOpen(
        serverURL: String,
        userUri: String,
        token: String,
        caPem: String? = nil,
        timeout: TimeInterval? = nil,
        store: KeyStore
    ) async throws -> (ProvisionedUser, Device) {
        let user = try await provision(
            serverURL: serverURL, userUri: userUri, token: token,
            caPem: caPem, timeout: timeout, into: store)
        return (user, try Device.open(store: store, userUri: userUri))
    }

    /// A key store keeping the keys in `directory`, encrypted under
    /// `passphrase` (at least 16 octets; Argon2id, so each load or save
    /// takes a fraction of a second: call it off the main thread).
    public static func encryptedFileStore(directory: URL, passphrase: Data) throws -> KeyStore {
        try encryptedFileKeyStore(directory: directory.path, passphrase: passphrase)
    }
}

extension ProvisionedUser {
    /// This user as the peer of a call (what the other side passes to
    /// `initiatePrivateCall` or `initiateGroupKey`).
    public var peer: Peer { Peer(uri: userUri, kmsUri: kmsUri) }
}

extension Device {
    /// Opens the device of `user`, provisioned into `store` before.
    public static func open(store: KeyStore, user: ProvisionedUser) throws -> Device {
        try Device.open(store: store, userUri: user.userUri)
    }
}

/// The SDP `a=key-mgmt:mikey` helpers (RFC 4567).
public enum Sdp {
    /// The `a=key-mgmt:mikey <base64>` line carrying an I_MESSAGE.
    public static func keyMgmtAttribute(_ message: String) throws -> String {
        try sdpKeyMgmtAttribute(message: message)
    }

    /// The I_MESSAGE of the `a=key-mgmt:mikey` line in an SDP body (or the
    /// line alone).
    public static func message(from sdp: String) throws -> String {
        try messageFromSdp(sdp: sdp)
    }
}
