// A MIKEY-SAKKE call from an app's point of view: provision two users,
// exchange the I_MESSAGE in SDP, protect and unprotect media, clean up.
//
// Runs against `msk testbed` (its env vars: MSK_KMS_A_URL, MSK_ALICE_URI, ...).
// On Android use an app-private directory (or your own KeyStore backed by
// the Android Keystore) and a passphrase kept in the Android Keystore.
package org.mikeysakke.examples

import java.io.File
import java.nio.ByteBuffer
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.mikeysakke.MikeySakke
import org.mikeysakke.WipeScope
import org.mikeysakke.fastPath
import org.mikeysakke.mikeyMessageFromSdp
import org.mikeysakke.toSdpKeyMgmt
import org.mikeysakke.ffi.Device
import org.mikeysakke.ffi.MikeySakkeException
import org.mikeysakke.ffi.Peer
import org.mikeysakke.ffi.encryptedFileKeyStore

private fun env(name: String) = System.getenv(name) ?: error("$name is not set (source the msk testbed env file)")

fun main() = runBlocking {
    val dir = Files.createTempDirectory("msk-example").toFile()
    val store = encryptedFileKeyStore(dir.path, "use a Keystore-held secret here".toByteArray())
    val ca = File(env("MSK_TESTBED_CA")).readText()
    val alice = Peer(env("MSK_ALICE_URI"), env("MSK_KMS_A_URI"))
    val bob = Peer(env("MSK_BOB_URI"), env("MSK_KMS_B_URI"))

    // 1. Provisioning (suspends; do it at login and when key periods roll over).
    MikeySakke.provision(env("MSK_KMS_A_URL"), alice.uri, env("MSK_ALICE_TOKEN"), store, ca)
    MikeySakke.provision(env("MSK_KMS_B_URL"), bob.uri, env("MSK_BOB_TOKEN"), store, ca)

    // Everything owned by the scope is wiped and closed at the end, last first.
    WipeScope().use { scope ->
        val aliceDevice = scope.own(Device.open(store, alice.uri))
        val bobDevice = scope.own(Device.open(store, bob.uri))

        // 2. Alice calls Bob: the I_MESSAGE travels in the SDP offer.
        val call = aliceDevice.initiatePrivateCall(bob)
        val sdpLine = call.message.toSdpKeyMgmt()
        val incoming = bobDevice.receive(sdpLine.mikeyMessageFromSdp())
        // Identities are hidden (TS 33.180 E.7): bind the caller URI the
        // SIP INVITE names to the verified signature.
        incoming.key.checkInitiator(alice.uri)
        println("bob: call from ${alice.uri}, key ${incoming.key.keyId().toString(16)}")

        // 3. Media: the fast path protects in place in a direct buffer.
        val aliceTx = scope.own(scope.own(scope.own(call.key).srtpSession()).fastPath())
        val bobRx = scope.own(scope.own(scope.own(incoming.key).srtpSession()).fastPath())
        val buf = ByteBuffer.allocateDirect(1500)
        val rtp = ByteArray(172).also { it[0] = 0x80.toByte(); it[1] = 96; it[3] = 1 }
        buf.put(rtp).flip()
        aliceTx.protectRtp(buf) // buf now holds the SRTP packet: send it
        println("alice sends ${buf.remaining()} octets")
        bobRx.unprotectRtp(buf) // on receipt, in place
        check(buf.remaining() == rtp.size)
        try {
            buf.limit(buf.capacity()).position(0)
            bobRx.unprotectRtp(buf, 0, 40)
        } catch (e: MikeySakkeException) {
            println("bob drops a bad packet: ${e::class.simpleName}")
        }
    }
    dir.deleteRecursively()
    println("call done")
}
