package org.mikeysakke

import java.nio.ByteBuffer
import java.util.concurrent.locks.ReentrantReadWriteLock
import kotlin.concurrent.read
import kotlin.concurrent.write
import org.mikeysakke.ffi.MikeySakkeException
import org.mikeysakke.ffi.SrtpSession

/**
 * Per-packet SRTP/SRTCP protection in place, through JNI (no copy, no
 * allocation): about a microsecond per packet where the generic
 * [SrtpSession.protectRtp] costs tens of microseconds.
 *
 * It shares the Rust session with [session] (same keys, same replay window,
 * same packet index), so the two can be mixed; closing or wiping [session]
 * does not free the session while this object holds it, but a wiped
 * session makes every call here fail with [MikeySakkeException.InvalidInput].
 *
 * A packet is `buf[offset, offset + length)`; protection writes the tag
 * (and MKI, SRTCP index) after it, so leave [maxOverhead] octets of room
 * before the end of the buffer (the capacity of a direct [ByteBuffer], the
 * size of a [ByteArray]). Every method returns the new packet length. Do not
 * touch the packet region from another thread during a call. Errors throw
 * the [MikeySakkeException] subclass the generic API throws; on an error
 * the packet region's contents are unspecified.
 *
 * Thread-safe: sending and receiving may run on different threads; [close]
 * waits for running calls and later calls throw
 * [MikeySakkeException.InvalidInput]. Always [close] it (or `use {}`): it
 * holds a reference to the Rust session, with its keys, until then; there
 * is no finalizer.
 *
 * The JNI functions live in the same native library as the uniffi bindings
 * (`libmikey_sakke_ffi.so`). It is loaded with `System.load(path)` when the
 * system property `org.mikeysakke.jni.library` names the file, else with
 * `System.loadLibrary("mikey_sakke_ffi")` (Android: the AAR's jniLibs; JVM:
 * `-Djava.library.path`).
 */
class SrtpFastPath(session: SrtpSession) : AutoCloseable {
    private val lock = ReentrantReadWriteLock()
    private var handle: Long
    private var closed = false

    /** The room to leave after a packet for [protectRtp] / [protectRtcp]. */
    val maxOverhead: Int = session.maxOverhead().toInt()

    init {
        ensureLoaded()
        handle = session.fastPathHandle().toLong()
    }

    fun protectRtp(buf: ByteBuffer, offset: Int, length: Int): Int = buffer(PROTECT_RTP, buf, offset, length)
    fun unprotectRtp(buf: ByteBuffer, offset: Int, length: Int): Int = buffer(UNPROTECT_RTP, buf, offset, length)
    fun protectRtcp(buf: ByteBuffer, offset: Int, length: Int): Int = buffer(PROTECT_RTCP, buf, offset, length)
    fun unprotectRtcp(buf: ByteBuffer, offset: Int, length: Int): Int = buffer(UNPROTECT_RTCP, buf, offset, length)

    fun protectRtp(buf: ByteArray, offset: Int, length: Int): Int = array(PROTECT_RTP, buf, offset, length)
    fun unprotectRtp(buf: ByteArray, offset: Int, length: Int): Int = array(UNPROTECT_RTP, buf, offset, length)
    fun protectRtcp(buf: ByteArray, offset: Int, length: Int): Int = array(PROTECT_RTCP, buf, offset, length)
    fun unprotectRtcp(buf: ByteArray, offset: Int, length: Int): Int = array(UNPROTECT_RTCP, buf, offset, length)

    /**
     * The [ByteBuffer] way: the packet is `[position, limit)`; afterwards
     * `limit` is `position + ` the new length (capacity permitting).
     */
    fun protectRtp(buf: ByteBuffer): ByteBuffer = flow(PROTECT_RTP, buf)
    fun unprotectRtp(buf: ByteBuffer): ByteBuffer = flow(UNPROTECT_RTP, buf)
    fun protectRtcp(buf: ByteBuffer): ByteBuffer = flow(PROTECT_RTCP, buf)
    fun unprotectRtcp(buf: ByteBuffer): ByteBuffer = flow(UNPROTECT_RTCP, buf)

    /** Releases the Rust session (idempotent); waits for running calls. */
    override fun close() {
        lock.write {
            if (closed) return
            closed = true
            val h = handle
            handle = 0
            nativeRelease(h)
        }
    }

    private fun flow(op: Int, buf: ByteBuffer): ByteBuffer {
        val n = buffer(op, buf, buf.position(), buf.remaining())
        buf.limit(buf.position() + n)
        return buf
    }

    private fun buffer(op: Int, buf: ByteBuffer, offset: Int, length: Int): Int {
        if (!buf.isDirect) throw MikeySakkeException.InvalidInput("the fast path needs a direct ByteBuffer")
        if (buf.isReadOnly) throw MikeySakkeException.InvalidInput("read-only ByteBuffer")
        return lock.read {
            if (closed) throw closedError()
            check(nativeProcessBuffer(handle, op, buf, offset, length))
        }
    }

    private fun array(op: Int, buf: ByteArray, offset: Int, length: Int): Int = lock.read {
        if (closed) throw closedError()
        check(nativeProcessArray(handle, op, buf, offset, length))
    }

    private fun check(n: Int): Int {
        if (n >= 0) return n
        val reason = nativeTakeErrorReason() ?: ""
        throw when (n) {
            -1 -> MikeySakkeException.InvalidInput(reason)
            -2 -> MikeySakkeException.MalformedMessage(reason)
            -3 -> MikeySakkeException.VerificationFailed()
            -4 -> MikeySakkeException.KeyNotValid(reason)
            -5 -> MikeySakkeException.UnknownKms()
            -6 -> MikeySakkeException.StaleOrReplayed()
            -7 -> MikeySakkeException.Kms(reason)
            else -> MikeySakkeException.Internal(reason.ifEmpty { "fast path error $n" })
        }
    }

    private fun closedError() = MikeySakkeException.InvalidInput("the SRTP fast path was closed")

    // bindings/src/jni.rs; op: 0 protect RTP, 1 unprotect RTP, 2 protect RTCP, 3 unprotect RTCP.
    private external fun nativeProcessBuffer(handle: Long, op: Int, buf: ByteBuffer, offset: Int, length: Int): Int
    private external fun nativeProcessArray(handle: Long, op: Int, buf: ByteArray, offset: Int, length: Int): Int
    private external fun nativeRelease(handle: Long)
    private external fun nativeTakeErrorReason(): String?

    companion object {
        private const val PROTECT_RTP = 0
        private const val UNPROTECT_RTP = 1
        private const val PROTECT_RTCP = 2
        private const val UNPROTECT_RTCP = 3

        /** The system property naming the native library file (optional). */
        const val LIBRARY_PROPERTY = "org.mikeysakke.jni.library"

        private val loaded: Unit by lazy {
            val path = System.getProperty(LIBRARY_PROPERTY)
            if (!path.isNullOrEmpty()) System.load(path) else System.loadLibrary("mikey_sakke_ffi")
        }

        /** Loads the native library (done by the constructor). */
        @JvmStatic
        fun ensureLoaded() = loaded
    }
}
