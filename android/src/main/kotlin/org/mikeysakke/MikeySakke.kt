package org.mikeysakke

import java.nio.ByteBuffer
import org.mikeysakke.ffi.CallKey
import org.mikeysakke.ffi.Device
import org.mikeysakke.ffi.KeyStore
import org.mikeysakke.ffi.KmsClient
import org.mikeysakke.ffi.KmsClientConfig
import org.mikeysakke.ffi.ProvisionedUser
import org.mikeysakke.ffi.SrtpSession
import org.mikeysakke.ffi.messageFromSdp
import org.mikeysakke.ffi.sdpKeyMgmtAttribute

/**
 * Kotlin conveniences over the generated bindings (`org.mikeysakke.ffi`),
 * which remain the API: this file only shortens the common paths.
 */
object MikeySakke {
    /** Default KMS request timeout. */
    const val DEFAULT_TIMEOUT_MS: UInt = 15_000u

    /**
     * Provisions [userUri] from its KMS at [serverUrl] into [store]
     * (suspends; the client is closed afterwards). [caPem]: the CA
     * certificates (PEM) to trust for the KMS instead of the system roots;
     * pass the enterprise CA.
     */
    suspend fun provision(
        serverUrl: String,
        userUri: String,
        token: String,
        store: KeyStore,
        caPem: String? = null,
        timeoutMs: UInt = DEFAULT_TIMEOUT_MS,
    ): ProvisionedUser =
        KmsClient(KmsClientConfig(serverUrl, userUri, token, caPem, timeoutMs)).use { it.provision(store) }

    /** A direct buffer for the fast path: [packetSize] plus the session's overhead. */
    fun packetBuffer(fastPath: SrtpFastPath, packetSize: Int): ByteBuffer =
        ByteBuffer.allocateDirect(packetSize + fastPath.maxOverhead)
}

/** The `a=key-mgmt:mikey` SDP line of this I_MESSAGE. */
fun String.toSdpKeyMgmt(): String = sdpKeyMgmtAttribute(this)

/** The I_MESSAGE of an SDP body or `a=key-mgmt` line. */
fun String.mikeyMessageFromSdp(): String = messageFromSdp(this)

/** A JNI fast path on this session (close it too). */
fun SrtpSession.fastPath(): SrtpFastPath = SrtpFastPath(this)

/**
 * Erases the secrets of a generated object ([Device], [CallKey],
 * [SrtpSession]) with `wipe()`, then frees it with `close()`. Idempotent:
 * an object already closed is left alone.
 */
fun AutoCloseable.wipeAndClose() {
    try {
        when (this) {
            is Device -> wipe()
            is CallKey -> wipe()
            is SrtpSession -> wipe()
        }
    } catch (_: IllegalStateException) {
        // Already closed (freed): nothing left to wipe.
    } finally {
        close()
    }
}

/** Like [use], but wipes before closing ([wipeAndClose]). */
inline fun <T : AutoCloseable, R> T.useWiping(block: (T) -> R): R =
    try {
        block(this)
    } finally {
        wipeAndClose()
    }

/**
 * Owns several objects of one call and wipes and closes them, last first:
 * `WipeScope().use { s -> val key = s.own(call.key); ... }`.
 */
class WipeScope : AutoCloseable {
    private val owned = ArrayList<AutoCloseable>()

    /** Takes [obj] over; returns it. */
    fun <T : AutoCloseable> own(obj: T): T = synchronized(owned) { owned.add(obj); obj }

    override fun close() {
        val all = synchronized(owned) { owned.reversed().also { owned.clear() } }
        var first: Throwable? = null
        for (o in all) {
            try {
                o.wipeAndClose()
            } catch (t: Throwable) {
                if (first == null) first = t else first.addSuppressed(t)
            }
        }
        first?.let { throw it }
    }
}
