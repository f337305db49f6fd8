package org.mikeysakke

import java.nio.ByteBuffer
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicInteger
import kotlin.concurrent.thread
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.mikeysakke.ffi.MikeySakkeException
import org.mikeysakke.ffi.SrtpSession

/** The JNI fast path against the same Rust sessions as the uniffi API. */
class SrtpFastPathTest {
    private lateinit var scope: WipeScope
    private lateinit var alice: SrtpSession
    private lateinit var bob: SrtpSession
    private lateinit var aliceFast: SrtpFastPath
    private lateinit var bobFast: SrtpFastPath

    @BeforeEach
    fun call() {
        scope = WipeScope()
        val call = Testbed.alice.initiatePrivateCall(Testbed.bobPeer)
        val received = Testbed.bob.receive(call.message)
        alice = scope.own(scope.own(call.key).srtpSession())
        bob = scope.own(scope.own(received.key).srtpSession())
        aliceFast = scope.own(alice.fastPath())
        bobFast = scope.own(bob.fastPath())
    }

    @AfterEach
    fun hangUp() = scope.close()

    @Test
    fun directByteBufferInPlace() {
        val rtp = rtpPacket(1)
        val buf = ByteBuffer.allocateDirect(rtp.size + aliceFast.maxOverhead)
        buf.put(rtp)
        val n = aliceFast.protectRtp(buf, 0, rtp.size)
        assertTrue(n > rtp.size && n <= buf.capacity(), "protected length $n")
        val wire = ByteArray(n).also { buf.get(0, it) }
        assertTrue(!wire.copyOfRange(12, rtp.size).contentEquals(rtp.copyOfRange(12, rtp.size)), "payload encrypted in place")
        assertEquals(rtp.size, bobFast.unprotectRtp(buf, 0, n))
        assertContentEquals(rtp, ByteArray(rtp.size).also { buf.get(0, it) })
    }

    @Test
    fun byteArrayInPlace() {
        val rtp = rtpPacket(1)
        val offset = 5
        val buf = ByteArray(offset + rtp.size + aliceFast.maxOverhead)
        rtp.copyInto(buf, offset)
        val n = aliceFast.protectRtp(buf, offset, rtp.size)
        assertTrue(n > rtp.size)
        assertEquals(rtp.size, bobFast.unprotectRtp(buf, offset, n))
        assertContentEquals(rtp, buf.copyOfRange(offset, offset + rtp.size))
        assertTrue(buf.copyOfRange(0, offset).all { it == 0.toByte() }, "nothing before the offset touched")
    }

    @Test
    fun positionAndLimit() {
        val rtp = rtpPacket(3)
        val buf = ByteBuffer.allocateDirect(16 + rtp.size + aliceFast.maxOverhead)
        buf.position(16)
        buf.put(rtp).flip().position(16)
        aliceFast.protectRtp(buf)
        assertEquals(16, buf.position())
        assertTrue(buf.remaining() > rtp.size)
        bobFast.unprotectRtp(buf)
        assertEquals(rtp.size, buf.remaining())
        assertContentEquals(rtp, ByteArray(rtp.size).also { buf.get(it) })
    }

    @Test
    fun mixesWithTheUniffiPath() {
        // JNI-protected, unprotected by uniffi.
        val rtp = rtpPacket(10)
        val buf = rtp.copyOf(rtp.size + aliceFast.maxOverhead)
        val n = aliceFast.protectRtp(buf, 0, rtp.size)
        assertContentEquals(rtp, bob.unprotectRtp(buf.copyOf(n)))
        // uniffi-protected, unprotected by JNI (both directions).
        val back = rtpPacket(11, ssrc = 42)
        val wire = bob.protectRtp(back)
        val direct = ByteBuffer.allocateDirect(wire.size).put(wire)
        assertEquals(back.size, aliceFast.unprotectRtp(direct, 0, wire.size))
        assertContentEquals(back, ByteArray(back.size).also { direct.get(0, it) })
        val again = alice.protectRtp(rtpPacket(12))
        assertEquals(rtpPacket(12).size, bobFast.unprotectRtp(again, 0, again.size))
        assertContentEquals(rtpPacket(12), again.copyOf(rtpPacket(12).size))
        // The same packet index space: uniffi sees the JNI packet as a replay.
        assertFailsWith<MikeySakkeException.StaleOrReplayed> { bob.unprotectRtp(buf.copyOf(n)) }
    }

    @Test
    fun rtcpRoundTrip() {
        val rtcp = rtcpPacket()
        val buf = rtcp.copyOf(rtcp.size + aliceFast.maxOverhead)
        val n = aliceFast.protectRtcp(buf, 0, rtcp.size)
        assertContentEquals(rtcp, bob.unprotectRtcp(buf.copyOf(n)))
        val wire = alice.protectRtcp(rtcp)
        val direct = ByteBuffer.allocateDirect(wire.size).put(wire)
        assertEquals(rtcp.size, bobFast.unprotectRtcp(direct, 0, wire.size))
    }

    @Test
    fun verificationAndReplayErrors() {
        val rtp = rtpPacket(20)
        val buf = rtp.copyOf(rtp.size + aliceFast.maxOverhead)
        val n = aliceFast.protectRtp(buf, 0, rtp.size)
        val copy = buf.copyOf()
        assertEquals(rtp.size, bobFast.unprotectRtp(buf, 0, n))
        assertFailsWith<MikeySakkeException.StaleOrReplayed> { bobFast.unprotectRtp(copy.copyOf(), 0, n) }
        val next = rtpPacket(21).copyOf(rtp.size + aliceFast.maxOverhead)
        val m = aliceFast.protectRtp(next, 0, rtp.size)
        next[50] = (next[50].toInt() xor 0x10).toByte()
        assertFailsWith<MikeySakkeException.VerificationFailed> { bobFast.unprotectRtp(next, 0, m) }
        assertFailsWith<MikeySakkeException.MalformedMessage> { bobFast.unprotectRtp(ByteArray(8), 0, 8) }
    }

    @Test
    fun boundsErrors() {
        val rtp = rtpPacket(30)
        val arr = rtp.copyOf(rtp.size + aliceFast.maxOverhead)
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(arr, -1, rtp.size) }
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(arr, 0, -1) }
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(arr, 0, arr.size + 1) }
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(arr, arr.size + 1, 0) }
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(arr, 10, arr.size - 9) }
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(arr, Int.MAX_VALUE, Int.MAX_VALUE) }
        // No room for the tag.
        val tight = rtp.copyOf()
        val e = assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(tight, 0, tight.size) }
        assertTrue(e.message!!.isNotEmpty())
        val direct = ByteBuffer.allocateDirect(rtp.size).put(rtp)
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(direct, 0, rtp.size) }
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(direct, 1, rtp.size) }
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(ByteBuffer.allocate(400), 0, 172) }
        assertFailsWith<MikeySakkeException.InvalidInput> {
            aliceFast.protectRtp(ByteBuffer.allocateDirect(400).asReadOnlyBuffer(), 0, 172)
        }
        // Still usable after all that.
        assertTrue(aliceFast.protectRtp(arr, 0, rtp.size) > rtp.size)
    }

    @Test
    fun useAfterCloseAndWipe() {
        val arr = rtpPacket(40).copyOf(172 + aliceFast.maxOverhead)
        aliceFast.close()
        aliceFast.close() // idempotent
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(arr, 0, 172) }
        assertFailsWith<MikeySakkeException.InvalidInput> { aliceFast.protectRtp(ByteBuffer.allocateDirect(400), 0, 172) }
        // The fast path keeps the Rust session alive after the uniffi object is closed ...
        val fast = bob.fastPath()
        bob.close()
        assertTrue(fast.protectRtp(arr, 0, 172) > 172)
        // ... but a wipe reaches it.
        val other = alice.fastPath()
        alice.wipe()
        assertFailsWith<MikeySakkeException.InvalidInput> { other.protectRtp(rtpPacket(41).copyOf(300), 0, 172) }
        other.close()
        fast.close()
    }

    @Test
    fun closeRacingCalls() {
        val fast = alice.fastPath()
        val start = CountDownLatch(1)
        val ok = AtomicInteger()
        val closed = AtomicInteger()
        val other = AtomicInteger()
        val workers = (0 until 4).map { w ->
            thread {
                val buf = ByteBuffer.allocateDirect(400)
                start.await()
                for (i in 0 until 2_000) {
                    buf.clear()
                    buf.put(rtpPacket(w * 2_000 + i))
                    try {
                        fast.protectRtp(buf, 0, 172)
                        ok.incrementAndGet()
                    } catch (e: MikeySakkeException.InvalidInput) {
                        closed.incrementAndGet()
                    } catch (e: Throwable) {
                        other.incrementAndGet()
                    }
                }
            }
        }
        start.countDown()
        Thread.sleep(2)
        fast.close()
        workers.forEach { it.join() }
        assertEquals(0, other.get())
        assertEquals(8_000, ok.get() + closed.get())
    }
}
