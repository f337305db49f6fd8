import Foundation
import MikeySakkeFFI

/// An SRTP/SRTCP session whose keys are erased when it goes away: `deinit`
/// calls `wipe()`, so dropping the last reference at the end of a call is
/// enough. Call `close()` to erase them earlier; afterwards every call
/// throws `MikeySakkeError.InvalidInput`.
///
/// Thread-safe (the state is in Rust, behind a lock), so one session may be
/// used from the audio send and receive threads.
public final class MediaSession: @unchecked Sendable {
    /// The generated session, for what this wrapper does not cover.
    public let session: SrtpSession

    public init(_ session: SrtpSession) {
        self.session = session
    }

    /// The session of `key` for its default crypto session (see
    /// `CallKey.srtpSession()`), or of `csId` if given.
    public convenience init(key: CallKey, csId: UInt8? = nil) throws {
        if let csId {
            self.init(try key.srtpSessionFor(csId: csId))
        } else {
            self.init(try key.srtpSession())
        }
    }

    deinit {
        session.wipe()
    }

    /// Erases the keys now.
    public func close() {
        session.wipe()
    }

    public func protectRTP(_ packet: Data) throws -> Data {
        try session.protectRtp(packet: packet)
    }

    public func unprotectRTP(_ packet: Data) throws -> Data {
        try session.unprotectRtp(packet: packet)
    }

    public func protectRTCP(_ packet: Data) throws -> Data {
        try session.protectRtcp(packet: packet)
    }

    public func unprotectRTCP(_ packet: Data) throws -> Data {
        try session.unprotectRtcp(packet: packet)
    }

    /// The most octets protecting adds to a packet (tag, MKI, SRTCP index).
    public var maxOverhead: Int {
        get throws { Int(try session.maxOverhead()) }
    }

    /// The MKI this session sends under.
    public var mki: Data {
        get throws { try session.mki() }
    }
}
