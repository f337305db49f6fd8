package org.mikeysakke

import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.mikeysakke.ffi.KeyKind
import org.mikeysakke.ffi.KmsClient
import org.mikeysakke.ffi.KmsClientConfig
import org.mikeysakke.ffi.MikeySakkeException
import org.mikeysakke.ffi.messageFromSdp
import org.mikeysakke.ffi.sdpKeyMgmtAttribute

/** The common scenario every binding runs (see the bindings README). */
class MikeySakkeTest {
    private val t = Testbed

    @Test
    fun provisionedUsers() {
        val u = t.users
        assertEquals(t.alicePeer.uri, u.alice.userUri)
        assertEquals(t.kmsA, u.alice.kmsUri)
        assertEquals(t.kmsB, u.bob.kmsUri)
        assertEquals(t.kmsA, u.carol.kmsUri)
        assertEquals(2, u.alice.keyPeriods.size)
        assertEquals(2, u.bob.keyPeriods.size)
        assertTrue(t.kmsB in u.alice.trustedKmsUris, "alice trusts ${t.kmsB}: ${u.alice.trustedKmsUris}")
        assertTrue(t.memoryStore.blobs.containsKey(t.carolPeer.uri), "carol's keys went to the app's store")
        assertEquals(t.alicePeer.uri, t.alice.info().userUri)
    }

    @Test
    fun privateCall() {
        val call = t.alice.initiatePrivateCall(t.bobPeer)
        val line = sdpKeyMgmtAttribute(call.message)
        assertTrue(line.startsWith("a=key-mgmt:mikey "), line)
        val sdp = "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n$line\r\nm=audio 49170 RTP/SAVP 96\r\n"
        val message = messageFromSdp(sdp)
        assertEquals(call.message, message)

        val received = t.bob.receive(message)
        // Identities are hidden (TS 33.180 E.7: the message carries UIDs):
        // the app binds the caller URI from SIP with checkInitiator.
        assertEquals(null, received.initiatorUri)
        received.key.checkInitiator(t.alicePeer.uri)
        assertFailsWith<MikeySakkeException.VerificationFailed> { received.key.checkInitiator(t.bobPeer.uri) }
        assertEquals(t.kmsA, received.initiatorKmsUri)
        assertEquals(KeyKind.PRIVATE_CALL, received.kind)
        assertEquals(call.key.keyId(), received.key.keyId())

        WipeScope().use { s ->
            val a = s.own(s.own(call.key).srtpSession())
            val b = s.own(s.own(received.key).srtpSession())
            val rtp = rtpPacket(1)
            val protected = a.protectRtp(rtp)
            assertTrue(protected.size > rtp.size)
            assertContentEquals(rtp, b.unprotectRtp(protected))
            val back = rtpPacket(7, ssrc = 0x0bad_cafe)
            assertContentEquals(back, a.unprotectRtp(b.protectRtp(back)))

            assertFailsWith<MikeySakkeException.StaleOrReplayed> { b.unprotectRtp(protected) }
            val flipped = a.protectRtp(rtpPacket(2))
            flipped[40] = (flipped[40].toInt() xor 1).toByte()
            assertFailsWith<MikeySakkeException.VerificationFailed> { b.unprotectRtp(flipped) }

            val rtcp = rtcpPacket()
            assertContentEquals(rtcp, b.unprotectRtcp(a.protectRtcp(rtcp)))
        }

        assertFailsWith<MikeySakkeException.StaleOrReplayed> { t.bob.receive(message) }
        assertFailsWith<MikeySakkeException.MalformedMessage> { t.bob.receive("bm90IGEgTUlLRVkgbWVzc2FnZQ") }
        assertFailsWith<MikeySakkeException> { t.carol.receive(t.alice.initiatePrivateCall(t.bobPeer).message) }
    }

    @Test
    fun groupCall() {
        val messages = t.carol.initiateGroupKey("group-1", listOf(t.alicePeer, t.bobPeer))
        assertEquals(setOf(t.alicePeer.uri, t.bobPeer.uri), messages.map { it.memberUri }.toSet())
        val forAlice = t.alice.receive(messages.first { it.memberUri == t.alicePeer.uri }.message)
        val forBob = t.bob.receive(messages.first { it.memberUri == t.bobPeer.uri }.message)
        for (r in listOf(forAlice, forBob)) {
            assertEquals(KeyKind.GROUP, r.kind)
            assertEquals("group-1", r.groupId)
            assertEquals(null, r.initiatorUri)
            r.key.checkInitiator(t.carolPeer.uri)
            assertEquals(t.kmsA, r.initiatorKmsUri)
        }
        assertEquals(forAlice.key.keyId(), forBob.key.keyId())
        forAlice.key.srtpSession().useWiping { a ->
            forBob.key.srtpSession().useWiping { b ->
                val rtp = rtpPacket(100)
                assertContentEquals(rtp, b.unprotectRtp(a.protectRtp(rtp)))
            }
        }
        forAlice.key.wipeAndClose()
        forBob.key.wipeAndClose()
    }

    @Test
    fun wipedObjectsFail() {
        val call = t.alice.initiatePrivateCall(t.bobPeer)
        val session = call.key.srtpSession()
        assertNotNull(session.protectRtp(rtpPacket(1)))
        session.wipe()
        assertFailsWith<MikeySakkeException.InvalidInput> { session.protectRtp(rtpPacket(2)) }
        assertFailsWith<MikeySakkeException.InvalidInput> { session.mki() }
        session.close()
        call.key.wipe()
        assertFailsWith<MikeySakkeException.InvalidInput> { call.key.srtpSession() }
        call.key.close()
    }

    @Test
    fun wrongTokenIsKmsError() {
        val client = KmsClient(KmsClientConfig(Testbed.env("MSK_KMS_A_URL"), t.alicePeer.uri, "wrong-token", t.caPem, 10_000u))
        client.use {
            assertFailsWith<MikeySakkeException.Kms> { runBlocking { it.provision(MemoryKeyStore()) } }
        }
    }
}
