@file:JvmName("Bench")

package org.mikeysakke

import java.nio.ByteBuffer
import org.mikeysakke.ffi.SrtpSession

/**
 * µs per RTP packet (12-octet header + 160-octet payload) on three paths:
 * the uniffi/JNA `protectRtp(ByteArray)`, the JNI fast path in place on a
 * direct ByteBuffer, and on a byte[]. Protect only, and protect+unprotect.
 * Needs the testbed env vars (it provisions like the tests).
 *
 *   java ... org.mikeysakke.Bench [scale]    (scale multiplies the iterations)
 */
fun main(args: Array<String>) {
    val scale = args.firstOrNull()?.toDoubleOrNull() ?: 1.0
    val jnaIters = (20_000 * scale).toInt().coerceAtLeast(100)
    val jniIters = (200_000 * scale).toInt().coerceAtLeast(1_000)
    val rounds = 3

    // A fresh call per measurement: protect-only loops jump the sequence
    // number far ahead of what a receiver would accept.
    fun sessions(): Pair<SrtpSession, SrtpSession> {
        val call = Testbed.alice.initiatePrivateCall(Testbed.bobPeer)
        val received = Testbed.bob.receive(call.message)
        return call.key.srtpSession() to received.key.srtpSession()
    }

    fun setSeq(p: ByteArray, seq: Int) {
        p[2] = (seq ushr 8).toByte(); p[3] = seq.toByte()
    }
    fun setSeq(p: ByteBuffer, seq: Int) {
        p.put(2, (seq ushr 8).toByte()); p.put(3, seq.toByte())
    }

    /** Best-of-[rounds] µs per iteration after a warm-up. */
    fun measure(iters: Int, body: (Int) -> Unit): Double {
        var seq = 0
        repeat(iters / 4) { body(seq++) }
        var best = Double.MAX_VALUE
        repeat(rounds) {
            val t0 = System.nanoTime()
            for (i in 0 until iters) body(seq++)
            best = minOf(best, (System.nanoTime() - t0) / 1_000.0 / iters)
        }
        return best
    }

    val packet = rtpPacket(0)
    val len = packet.size

    fun jna(pair: Boolean): Double {
        val (a, b) = sessions()
        val p = packet.copyOf()
        return measure(jnaIters) { s ->
            setSeq(p, s)
            val w = a.protectRtp(p)
            if (pair) b.unprotectRtp(w)
        }.also { a.wipeAndClose(); b.wipeAndClose() }
    }

    fun jniBuffer(pair: Boolean): Double {
        val (a, b) = sessions()
        val fa = a.fastPath()
        val fb = b.fastPath()
        val buf = ByteBuffer.allocateDirect(len + fa.maxOverhead)
        buf.put(packet)
        return measure(jniIters) { s ->
            setSeq(buf, s)
            val n = fa.protectRtp(buf, 0, len)
            if (pair) check(fb.unprotectRtp(buf, 0, n) == len)
        }.also { fa.close(); fb.close(); a.wipeAndClose(); b.wipeAndClose() }
    }

    fun jniArray(pair: Boolean): Double {
        val (a, b) = sessions()
        val fa = a.fastPath()
        val fb = b.fastPath()
        val buf = packet.copyOf(len + fa.maxOverhead)
        return measure(jniIters) { s ->
            setSeq(buf, s)
            val n = fa.protectRtp(buf, 0, len)
            if (pair) check(fb.unprotectRtp(buf, 0, n) == len)
        }.also { fa.close(); fb.close(); a.wipeAndClose(); b.wipeAndClose() }
    }

    Testbed.users
    val rows = listOf(
        Triple("uniffi/JNA protectRtp(ByteArray)", jna(false), jna(true)),
        Triple("JNI direct ByteBuffer, in place", jniBuffer(false), jniBuffer(true)),
        Triple("JNI byte[], in place", jniArray(false), jniArray(true)),
    )
    println("SRTP per packet (RTP 12 + 160 octets), µs, best of $rounds rounds; JNA $jnaIters, JNI $jniIters iterations per round")
    println(String.format("%-36s %10s %20s", "path", "protect", "protect+unprotect"))
    for ((name, p, pu) in rows) println(String.format("%-36s %10.3f %20.3f", name, p, pu))
    val jna = rows[0]
    for (r in rows.drop(1)) {
        println(String.format("ratio JNA / %-24s %9.1fx %19.1fx", r.first.substringBefore(","), jna.second / r.second, jna.third / r.third))
    }
    val met = rows.drop(1).all { it.second <= 2.0 && jna.second / it.second >= 10.0 }
    println("target (JNI protect <= 2 µs and >= 10x faster than JNA): ${if (met) "met" else "NOT met"}")
}
