package org.mikeysakke

import java.io.File
import java.nio.file.Files
import java.util.concurrent.ConcurrentHashMap
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import org.mikeysakke.ffi.Device
import org.mikeysakke.ffi.KeyStore
import org.mikeysakke.ffi.KeyStoreFailure
import org.mikeysakke.ffi.Peer
import org.mikeysakke.ffi.ProvisionedUser
import org.mikeysakke.ffi.encryptedFileKeyStore
import org.opentest4j.TestAbortedException

/** An app-implemented key store: the foreign-trait path. */
class MemoryKeyStore : KeyStore {
    val blobs = ConcurrentHashMap<String, ByteArray>()
    var saves = 0
        private set

    override fun load(userUri: String): ByteArray? = blobs[userUri]?.copyOf()

    override fun save(userUri: String, blob: ByteArray) {
        if (userUri.isEmpty()) throw KeyStoreFailure.Failed("empty user URI")
        saves++
        blobs[userUri] = blob.copyOf()
    }

    override fun delete(userUri: String) {
        blobs.remove(userUri)
    }
}

/**
 * The shared test bed (`msk testbed` env vars): alice and bob provisioned
 * into an encrypted file key store, carol into a [MemoryKeyStore]; once per
 * JVM, with suspend provisioning run concurrently.
 */
object Testbed {
    fun env(name: String): String {
        val v = System.getenv(name)
        if (!v.isNullOrEmpty()) return v
        if (System.getenv("MSK_BINDINGS_ALLOW_SKIP") == "1") throw TestAbortedException("$name not set (MSK_BINDINGS_ALLOW_SKIP=1)")
        throw IllegalStateException("$name is not set: source the env file of `msk testbed`")
    }

    val caPem: String by lazy { File(env("MSK_TESTBED_CA")).readText() }
    val kmsA: String by lazy { env("MSK_KMS_A_URI") }
    val kmsB: String by lazy { env("MSK_KMS_B_URI") }
    val alicePeer by lazy { Peer(env("MSK_ALICE_URI"), kmsA) }
    val bobPeer by lazy { Peer(env("MSK_BOB_URI"), kmsB) }
    val carolPeer by lazy { Peer(env("MSK_CAROL_URI"), kmsA) }

    val storeDir: File by lazy {
        val d = Files.createTempDirectory("msk-kotlin-")
        // JDK calls only: at shutdown the test launcher's class loader may
        // already be closed.
        Runtime.getRuntime().addShutdownHook(
            Thread {
                val s = Files.walk(d)
                try {
                    s.sorted(Comparator.reverseOrder()).forEach { Files.deleteIfExists(it) }
                } finally {
                    s.close()
                }
            },
        )
        d.toFile()
    }
    val fileStore: KeyStore by lazy { encryptedFileKeyStore(storeDir.path, "kotlin test passphrase 0123".toByteArray()) }
    val memoryStore = MemoryKeyStore()

    class Users(val alice: ProvisionedUser, val bob: ProvisionedUser, val carol: ProvisionedUser)

    val users: Users by lazy {
        runBlocking {
            coroutineScope {
                val a = async { MikeySakke.provision(env("MSK_KMS_A_URL"), alicePeer.uri, env("MSK_ALICE_TOKEN"), fileStore, caPem) }
                val b = async { MikeySakke.provision(env("MSK_KMS_B_URL"), bobPeer.uri, env("MSK_BOB_TOKEN"), fileStore, caPem) }
                val c = async { MikeySakke.provision(env("MSK_KMS_A_URL"), carolPeer.uri, env("MSK_CAROL_TOKEN"), memoryStore, caPem) }
                Users(a.await(), b.await(), c.await())
            }
        }
    }

    val alice: Device by lazy { users; Device.open(fileStore, alicePeer.uri) }
    val bob: Device by lazy { users; Device.open(fileStore, bobPeer.uri) }
    val carol: Device by lazy { users; Device.open(memoryStore, carolPeer.uri) }
}

/** A 12-octet RTP header (V=2, PT 96) and a [payloadSize]-octet payload. */
fun rtpPacket(seq: Int, payloadSize: Int = 160, ssrc: Int = 0x1234_5678): ByteArray {
    val p = ByteArray(12 + payloadSize)
    p[0] = 0x80.toByte()
    p[1] = 96
    p[2] = (seq ushr 8).toByte()
    p[3] = seq.toByte()
    val ts = seq * 160
    for (i in 0 until 4) p[4 + i] = (ts ushr (24 - 8 * i)).toByte()
    for (i in 0 until 4) p[8 + i] = (ssrc ushr (24 - 8 * i)).toByte()
    for (i in 0 until payloadSize) p[12 + i] = (i * 7 + seq).toByte()
    return p
}

/** A minimal RTCP receiver report (8 octets, V=2, PT 201). */
fun rtcpPacket(ssrc: Int = 0x1234_5678): ByteArray {
    val p = ByteArray(8)
    p[0] = 0x80.toByte()
    p[1] = 201.toByte()
    p[3] = 1
    for (i in 0 until 4) p[4 + i] = (ssrc ushr (24 - 8 * i)).toByte()
    return p
}
