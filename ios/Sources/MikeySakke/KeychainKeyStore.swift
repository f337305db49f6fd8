#if canImport(Security)
import Foundation
import Security
import MikeySakkeFFI

/// A `KeyStore` in the iOS/macOS Keychain: one generic-password item per
/// user, readable only on this device and after the first unlock (so calls
/// can be answered while the phone is locked), never synced or backed up
/// to another device.
public final class KeychainKeyStore: KeyStore, @unchecked Sendable {
    /// The Keychain service of the items (distinguish several stores).
    public let service: String
    /// The access group shared with app extensions, if any.
    public let accessGroup: String?

    public init(service: String = "org.mikeysakke.keys", accessGroup: String? = nil) {
        self.service = service
        self.accessGroup = accessGroup
    }

    private func query(_ userUri: String) -> [String: Any] {
        var q: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: userUri,
        ]
        if let accessGroup {
            q[kSecAttrAccessGroup as String] = accessGroup
        }
        return q
    }

    private static func failure(_ what: String, _ status: OSStatus) -> KeyStoreFailure {
        let message = SecCopyErrorMessageString(status, nil) as String? ?? "OSStatus \(status)"
        return .Failed(reason: "keychain \(what): \(message)")
    }

    public func load(userUri: String) throws -> Data? {
        var q = query(userUri)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            return item as? Data
        case errSecItemNotFound:
            return nil
        default:
            throw Self.failure("load", status)
        }
    }

    public func save(userUri: String, blob: Data) throws {
        let attributes: [String: Any] = [
            kSecValueData as String: blob,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        // Update in place (atomic in the Keychain); add when there is none.
        var status = SecItemUpdate(query(userUri) as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            let add = query(userUri).merging(attributes) { $1 }
            status = SecItemAdd(add as CFDictionary, nil)
        }
        guard status == errSecSuccess else {
            throw Self.failure("save", status)
        }
    }

    public func delete(userUri: String) throws {
        let status = SecItemDelete(query(userUri) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw Self.failure("delete", status)
        }
    }
}
#endif
