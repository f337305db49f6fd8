//! `msk demo`: a secure call across two organisations, step by step: two real
//! KMS servers started on 127.0.0.1 (TLS, temporary stores), users enrolled
//! and provisioned over HTTPS with the KMS client, certificates exchanged
//! between the KMSs, a MIKEY-SAKKE private call key from Alice (Org A) to Bob
//! (Org B), SRTP media both ways, replays rejected, then a group key from Org
//! A's group management server to Bob and Carol and group media between them;
//! finally the servers are shut down and their stores removed.

use std::time::{Duration, Instant};

use mikey_sakke::identity::NtpTime;
use mikey_sakke::kdf::KeyType;
use mikey_sakke::mikey::{
    cs_id, encode_sdp_attribute, initiate, CryptoSession, GroupKey, IdRole, InitiateRequest,
    InitiatedMessage, LocalUser, ReceivedKey, Responder, ResponderConfig, TrustStore,
};
use mikey_sakke::random::OsRandom;
use mikey_sakke::srtp::SrtpContext;
use mikey_sakke_kms::client::{ClientError, KmsClient};
use mikey_sakke_kms::keystore::{ClientKeys, UserKeySet};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{line, CliError};
use crate::hexarg;
use crate::loopback::{
    add_user, run_secret, runtime, start_kms, stop_kms, trust_each_other, LoopbackKms, ALICE, BOB,
    CAROL, KMS_A, KMS_B,
};

const GMS: &str = "sip:gms@org-a.example";
const GROUP: &str = "sip:rescue-team@org-a.example";
const ALICE_SSRC: u32 = 0xa11c_e001;
const BOB_SSRC: u32 = 0x0b0b_0001;
const CAROL_SSRC: u32 = 0x0ca2_0001;

/// A step's failure, as an internal error naming the step.
fn failed(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Internal(format!("demo: {what} failed: {e}"))
}

/// An internal error for a check that did not hold.
fn broken(what: &str) -> CliError {
    CliError::Internal(format!("demo: {what}"))
}

/// Runs `f`, then prints the step's title with the time it took.
fn step<T>(
    number: u32,
    title: &str,
    f: impl FnOnce() -> Result<T, CliError>,
) -> Result<T, CliError> {
    let start = Instant::now();
    let value = f()?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    line(format_args!("\n{number:>2}. {title}  [{ms:.2} ms]"))?;
    Ok(value)
}

/// Prints a detail line under a step.
fn detail(text: impl std::fmt::Display) -> Result<(), CliError> {
    line(format_args!("    {text}"))
}

/// The first 8 octets of a public value, for display.
fn short(bytes: &[u8]) -> String {
    let n = bytes.len().min(8);
    format!("{}… ({} octets)", hexarg::encode(&bytes[..n]), bytes.len())
}

/// The first 4 octets of SHA-256 of a secret: shows that two secrets are
/// equal without showing them.
fn fingerprint(secret: &[u8]) -> String {
    hexarg::encode(&Sha256::digest(secret)[..4])
}

/// The fingerprint of a crypto session's SRTP master key and salt.
fn session_fingerprint(s: &CryptoSession) -> String {
    let mut h = Sha256::new();
    h.update(s.tek.as_bytes());
    h.update(s.salt.as_bytes());
    hexarg::encode(&h.finalize()[..4])
}

/// Whether two crypto sessions have the same master key, salt and MKI.
fn same_session(a: &CryptoSession, b: &CryptoSession) -> bool {
    bool::from(a.tek.as_bytes().ct_eq(b.tek.as_bytes()))
        && bool::from(a.salt.as_bytes().ct_eq(b.salt.as_bytes()))
        && a.mki == b.mki
}

/// A text shortened to `n` characters.
fn elide(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((i, _)) => format!("{}… ({} characters)", &text[..i], text.chars().count()),
        None => text.to_string(),
    }
}

/// An RTP packet (RFC 3550 §5.1): V=2, PT 96, `seq`, timestamp `160·seq`, `ssrc`.
fn rtp(seq: u16, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x80, 0x60];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

/// An SRTP packet for display: its length, clear header and first octets of
/// ciphertext.
fn show_srtp(rtp_len: usize, srtp: &[u8]) -> String {
    let head = srtp.get(..12).unwrap_or(srtp);
    let body = srtp.get(12..srtp.len().min(20)).unwrap_or(&[]);
    format!(
        "{rtp_len} → {} octets: header {} | encrypted {}…",
        srtp.len(),
        hexarg::encode(head),
        hexarg::encode(body)
    )
}

/// An RTP payload for display.
fn payload_text(rtp: &[u8]) -> String {
    String::from_utf8_lossy(rtp.get(12..).unwrap_or(&[])).into_owned()
}

fn show_kms(kms: &LoopbackKms) -> Result<(), CliError> {
    let c = kms.kms.certificate();
    detail(format_args!("KPAK: {}", short(c.pub_auth_key.as_bytes())))?;
    detail(format_args!("Z:    {}", short(&c.pub_enc_key.to_bytes())))?;
    detail(format_args!(
        "published certificate: KMS URI {}, KPAK, Z, UserKeyPeriod {} s, UserKeyOffset {}",
        c.kms_uri, c.user_key_period, c.user_key_offset
    ))?;
    detail(format_args!(
        "serving TS 33.180 Annex D over HTTPS at {} (TLS certificate generated for this run)",
        kms.url
    ))?;
    detail(format_args!(
        "store: {} (master secrets encrypted under the operator secret)",
        kms.dir.display()
    ))
}

/// Stops the server gracefully, then removes its temporary store; returns
/// the number of key sets the KMS issued.
fn stop_and_remove(
    rt: &tokio::runtime::Runtime,
    kms: LoopbackKms,
    dir: tempfile::TempDir,
) -> Result<usize, CliError> {
    let issued = stop_kms(rt, kms)?;
    dir.close()
        .map_err(|e| failed("removing the temporary store", e))?;
    Ok(issued)
}

/// A temporary directory for a KMS store.
fn temp_store() -> Result<tempfile::TempDir, CliError> {
    tempfile::Builder::new()
        .prefix("msk-demo-kms-")
        .tempdir()
        .map_err(|e| failed("creating a temporary directory", e))
}

/// A device provisioned over HTTPS with the KMS client: KMS certificate
/// (init), this period's key set (keyprov, validated) and the trusted
/// external KMSs (certcache).
async fn fetch_keys(kms: &LoopbackKms, token: &str, uri: &str) -> Result<ClientKeys, CliError> {
    let fail = |what: &str, e: ClientError| failed(&format!("{what} for {uri}"), e);
    let client = KmsClient::new(&kms.url, token, uri)
        .and_then(|c| c.with_roots_pem(kms.ca_pem.as_bytes()))
        .map_err(|e| fail("the KMS client", e))?
        .with_timeout(Duration::from_secs(15));
    let cert = client.init().await.map_err(|e| fail("init", e))?;
    let sets = client
        .key_provision(&cert, None)
        .await
        .map_err(|e| fail("keyprov", e))?;
    let cache = client
        .cert_cache(None)
        .await
        .map_err(|e| fail("certcache", e))?;
    let mut keys = ClientKeys::new(uri, cert);
    keys.insert_key_sets(sets.into_iter().map(UserKeySet::from));
    keys.set_trusted(cache);
    Ok(keys)
}

/// A device's MIKEY view of its keys: its own key sets (validated again
/// under its KMS certificate, precomputed) and its trust store (its own KMS
/// and those of its certcache).
fn device(keys: &ClientKeys) -> Result<(LocalUser, TrustStore), CliError> {
    let who = &keys.user_uri;
    let mut user = keys
        .local_user()
        .map_err(|e| failed(&format!("the keys of {who}"), e))?;
    user.precompute();
    let trust = keys
        .trust_store()
        .map_err(|e| failed(&format!("the trust store of {who}"), e))?;
    Ok((user, trust))
}

/// A GMK I_MESSAGE from the GMS to `member` (whose KMS is `member_kms`).
fn group_message(
    gms: &LocalUser,
    trust: &TrustStore,
    (member, member_kms): (&str, &str),
    key: &GroupKey,
    now: NtpTime,
    rng: &mut OsRandom,
) -> Result<InitiatedMessage, CliError> {
    let req = key
        .request(member, member_kms, Some(GROUP.as_bytes()), now)
        .map_err(|e| failed("GMK", e))?;
    initiate(gms, trust, req, rng).map_err(|e| failed(&format!("the GMK I_MESSAGE to {member}"), e))
}

/// The group a received GMK is for (key-parameters extension).
fn group_of(r: &ReceivedKey) -> String {
    r.key_parameters
        .as_ref()
        .and_then(|k| k.group_ids.as_ref())
        .and_then(|g| g.first())
        .map_or_else(
            || "(not given)".to_string(),
            |g| String::from_utf8_lossy(&g.id).into_owned(),
        )
}

/// Runs the demo.
pub fn run() -> Result<(), CliError> {
    let total = Instant::now();
    let mut rng = OsRandom;
    line("MIKEY-SAKKE demo: a secure call across two organisations.")?;
    line("Org A and Org B each run a KMS: real TS 33.180 Annex D servers, started here on")?;
    line("127.0.0.1 and stopped at the end. Alice (Org A) calls Bob (Org B): ECCSI (RFC 6507)")?;
    line("signs the key, SAKKE (RFC 6508) carries it, MIKEY (RFC 3830, TS 33.180) delivers")?;
    line("it, SRTP (RFC 3711, RFC 7714) protects the media. Then Org A's group management")?;
    line("server gives a group key to Bob and Carol. Secrets are shown only as fingerprints")?;
    line("(first 4 octets of their SHA-256).")?;

    // --- The two KMSs -------------------------------------------------------
    let rt = runtime()?;
    let secret = run_secret()?;
    let (dir_a, dir_b) = (temp_store()?, temp_store()?);
    let kms_a = step(
        1,
        &format!("KMS A ({KMS_A}) creates its ECCSI (KSAK→KPAK) and SAKKE (z→Z) master keys in a new store and starts serving on loopback"),
        || start_kms(&rt, KMS_A, &secret, dir_a.path()),
    )?;
    show_kms(&kms_a)?;
    let kms_b = step(
        2,
        &format!("KMS B ({KMS_B}) does the same in its own store, on its own port"),
        || start_kms(&rt, KMS_B, &secret, dir_b.path()),
    )?;
    show_kms(&kms_b)?;

    let tokens = step(
        3,
        "The organisations exchange KMS certificates, so KMS A trusts KMS B and KMS B trusts KMS A; each KMS enrols its users with a bearer token",
        || {
            trust_each_other(&kms_a, &kms_b)?;
            [(&kms_a, ALICE), (&kms_a, CAROL), (&kms_a, GMS), (&kms_b, BOB)]
                .into_iter()
                .map(|(kms, uri)| add_user(kms, uri))
                .collect::<Result<Vec<_>, _>>()
        },
    )?;
    detail(format_args!(
        "KMS A trusts {KMS_B}, KMS B trusts {KMS_A} (each KmsCertificate XML imported as External)"
    ))?;
    detail(format_args!("KMS A: {ALICE}, {CAROL}, {GMS}; KMS B: {BOB}"))?;
    detail("each user gets a fresh 256-bit token; the KMS stores only its SHA-256")?;

    let keys = step(
        4,
        "Every device fetches its keys over HTTPS with the KMS client: init (KMS certificate), keyprov (SSK, PVT, RSK, validated), certcache (trusted KMSs)",
        || {
            rt.block_on(async {
                Ok(vec![
                    fetch_keys(&kms_a, &tokens[0], ALICE).await?,
                    fetch_keys(&kms_a, &tokens[1], CAROL).await?,
                    fetch_keys(&kms_a, &tokens[2], GMS).await?,
                    fetch_keys(&kms_b, &tokens[3], BOB).await?,
                ])
            })
        },
    )?;
    drop(tokens);
    let now = NtpTime::now().map_err(|e| failed("reading the clock", e))?;
    let (year, month) = now.year_month();
    let n = keys
        .first()
        .and_then(|k| k.key_sets.first())
        .map(|s| s.key_period_no)
        .ok_or_else(|| broken("no key set provisioned"))?;
    detail(format_args!(
        "key period {n} ({year:04}-{month:02}); each key is bound to the user's UID = SHA-256(URI, KMS URI, period)"
    ))?;
    for k in &keys {
        let set = k
            .key_sets
            .first()
            .ok_or_else(|| broken("no key set provisioned"))?;
        detail(format_args!(
            "{:<26} UID {} from {}",
            k.user_uri,
            short(set.uid.as_bytes()),
            set.kms_uri
        ))?;
    }

    let devices = step(
        5,
        "Every device builds its trust store (its own KMS + certcache), checks its SSK/PVT (RFC 6507 §5.1.2) and RSK (RFC 6508 §6.1.2) again, and precomputes",
        || keys.iter().map(device).collect::<Result<Vec<_>, _>>(),
    )?;
    for k in &keys {
        let external: Vec<&str> = k.trusted.iter().map(|c| c.kms_uri.as_str()).collect();
        detail(format_args!(
            "{:<26} trusts {} (own), {} (certcache)",
            k.user_uri,
            k.kms.kms_uri,
            external.join(", ")
        ))?;
    }
    detail("Alice, Carol, GMS, Bob: keys valid")?;
    let mut devices = devices.into_iter();
    let mut next = || devices.next().ok_or_else(|| broken("missing device"));
    let (alice, alice_trust) = next()?;
    let (carol, carol_trust) = next()?;
    let (gms, gms_trust) = next()?;
    let (bob, bob_trust) = next()?;

    // --- Private call: Alice → Bob -------------------------------------------
    let call = step(
        6,
        "Alice calls Bob: she makes a private call key (PCK), signs it with her key from KMS A and encapsulates it to Bob under KMS B's Z",
        || {
            let req = InitiateRequest::new(KeyType::Pck, BOB, KMS_B, now);
            initiate(&alice, &alice_trust, req, &mut rng).map_err(|e| failed("building the I_MESSAGE", e))
        },
    )?;
    detail(format_args!(
        "I_MESSAGE: {} octets, sent as \"{}\"",
        call.bytes.len(),
        elide(&call.text, 24)
    ))?;
    let idr = |role: IdRole| {
        call.message
            .idr(role)
            .map(|p| String::from_utf8_lossy(&p.data).into_owned())
            .unwrap_or_default()
    };
    detail(format_args!(
        "IDRkmsi: {}  →  IDRkmsr: {}  (the call crosses from Org A to Org B)",
        idr(IdRole::InitiatorKms),
        idr(IdRole::ResponderKms)
    ))?;
    detail(format_args!(
        "SDP offer: {}",
        elide(&encode_sdp_attribute(&call.bytes), 40)
    ))?;
    detail(format_args!(
        "PCK-ID {}; PCK fingerprint {}",
        call.key_id,
        fingerprint(call.key.as_bytes())
    ))?;

    let mut bob_side = Responder::new(bob, bob_trust, ResponderConfig::default());
    let bob_call = step(
        7,
        "Bob checks the I_MESSAGE: time and replay cache, Alice's signature with KMS A's KPAK, then decapsulates with his RSK from KMS B",
        || {
            bob_side
                .receive_text(&call.text, now)
                .map_err(|e| failed("receiving the I_MESSAGE", e))
        },
    )?;
    detail(format_args!(
        "signature verified with the KPAK of {}; PCK decapsulated with Bob's RSK from {}",
        bob_call.initiator_kms, bob_call.responder_kms
    ))?;
    detail(format_args!(
        "PCK-ID {}; PCK fingerprint {}",
        bob_call.key_id,
        fingerprint(bob_call.key.as_bytes())
    ))?;
    if !bool::from(call.key.ct_eq(&bob_call.key)) || bob_call.key_id != call.key_id {
        return Err(broken("Alice's and Bob's PCKs differ"));
    }
    detail("Alice and Bob now share the same SSV (the PCK).")?;

    let up = cs_id::MCPTT_PRIVATE_INITIATOR;
    let down = cs_id::MCPTT_PRIVATE_RESPONDER;
    let (mut alice_tx, mut alice_rx, mut bob_rx, mut bob_tx) = step(
        8,
        "Both derive their SRTP contexts in one call each: cs_id 0 for Alice → Bob, cs_id 1 for Bob → Alice",
        || {
            let ctx = |r: Result<SrtpContext, mikey_sakke::Error>| {
                r.map_err(|e| failed("deriving an SRTP context", e))
            };
            Ok((
                ctx(call.srtp_context(up))?,
                ctx(call.srtp_context(down))?,
                ctx(bob_call.srtp_context(up))?,
                ctx(bob_call.srtp_context(down))?,
            ))
        },
    )?;
    detail(format_args!(
        "profile {} (TS 33.180 private-call default), MKI {} (the PCK-ID)",
        alice_tx.policy().profile(),
        alice_tx.mki().map(hexarg::encode).unwrap_or_default()
    ))?;
    for (cs, what) in [(up, "Alice → Bob"), (down, "Bob → Alice")] {
        let a = call
            .crypto_session(cs)
            .map_err(|e| failed("crypto session", e))?;
        let b = bob_call
            .crypto_session(cs)
            .map_err(|e| failed("crypto session", e))?;
        let same = same_session(&a, &b);
        detail(format_args!(
            "cs_id {cs} ({what}): master key+salt fingerprint Alice {}, Bob {}: {}",
            session_fingerprint(&a),
            session_fingerprint(&b),
            if same { "match" } else { "DIFFER" }
        ))?;
        if !same {
            return Err(broken("the two ends derived different SRTP keys"));
        }
    }

    let words = ["Hello Bob, it's Alice.", "Can you hear me?", "Over."];
    let packets = step(9, "Alice protects three RTP packets (cs_id 0)", || {
        let mut out = Vec::new();
        for (i, w) in (1u16..).zip(words) {
            let plain = rtp(i, ALICE_SSRC, w.as_bytes());
            let mut p = plain.clone();
            alice_tx
                .protect_rtp(&mut p)
                .map_err(|e| failed("protecting", e))?;
            out.push((plain.len(), p));
        }
        Ok(out)
    })?;
    for (i, (len, p)) in packets.iter().enumerate() {
        detail(format_args!("#{}: {}", i + 1, show_srtp(*len, p)))?;
    }

    let heard = step(10, "Bob unprotects them", || {
        let mut out = Vec::new();
        for (_, p) in &packets {
            let mut p = p.clone();
            bob_rx
                .unprotect_rtp(&mut p)
                .map_err(|e| failed("unprotecting Alice's packet", e))?;
            out.push(payload_text(&p));
        }
        Ok(out)
    })?;
    for (i, text) in heard.iter().enumerate() {
        detail(format_args!("#{}: \"{text}\"", i + 1))?;
        if text != words[i] {
            return Err(broken("Bob recovered another payload"));
        }
    }

    let answer = step(11, "Bob answers on cs_id 1 and Alice unprotects", || {
        let plain = rtp(1, BOB_SSRC, b"Loud and clear, Alice.");
        let mut p = plain.clone();
        bob_tx
            .protect_rtp(&mut p)
            .map_err(|e| failed("protecting Bob's packet", e))?;
        let shown = show_srtp(plain.len(), &p);
        alice_rx
            .unprotect_rtp(&mut p)
            .map_err(|e| failed("unprotecting Bob's packet", e))?;
        if p != plain {
            return Err(broken("Alice recovered another packet"));
        }
        Ok((shown, payload_text(&p)))
    })?;
    detail(format_args!("{}", answer.0))?;
    detail(format_args!("Alice hears: \"{}\"", answer.1))?;

    let replay = step(12, "An attacker replays Alice's packet #1 to Bob", || {
        let mut p = packets
            .first()
            .map(|(_, p)| p.clone())
            .ok_or_else(|| broken("no packet"))?;
        Ok(bob_rx.unprotect_rtp(&mut p))
    })?;
    match replay {
        Err(e) => detail(format_args!("rejected: {e} (RFC 3711 §3.3.2)"))?,
        Ok(()) => return Err(broken("the replayed packet was accepted")),
    }

    let replay = step(13, "An attacker replays Alice's I_MESSAGE to Bob", || {
        Ok(bob_side.receive_text(&call.text, now))
    })?;
    match replay {
        Err(e) => detail(format_args!(
            "rejected: {e} (Bob's replay cache, RFC 3830 §5.4)"
        ))?,
        Ok(_) => return Err(broken("the replayed I_MESSAGE was accepted")),
    }

    // --- Group call: the GMS gives a GMK to Bob and Carol ------------------------
    let group_key = step(
        14,
        &format!("Org A's group management server draws a group master key (GMK) for {GROUP}"),
        || GroupKey::generate(&mut rng).map_err(|e| failed("drawing the GMK", e)),
    )?;
    let gmk_id = group_key.gmk_id;
    detail(format_args!(
        "GMK-ID {gmk_id}; GMK fingerprint {}",
        fingerprint(group_key.gmk.as_bytes())
    ))?;

    let (to_bob, to_carol) = step(
        15,
        "It sends the GMK to each member in its own I_MESSAGE (signed with its key from KMS A)",
        || {
            Ok((
                group_message(&gms, &gms_trust, (BOB, KMS_B), &group_key, now, &mut rng)?,
                group_message(&gms, &gms_trust, (CAROL, KMS_A), &group_key, now, &mut rng)?,
            ))
        },
    )?;
    for (who, m) in [("Bob", &to_bob), ("Carol", &to_carol)] {
        detail(format_args!(
            "to {who:<5}: {} octets, CSB-ID (GUK-ID) {}, GMK-ID {} (IDRkmsr {})",
            m.bytes.len(),
            m.csb_id,
            m.key_id,
            m.message
                .idr(IdRole::ResponderKms)
                .map(|p| String::from_utf8_lossy(&p.data).into_owned())
                .unwrap_or_default()
        ))?;
    }
    detail(
        "The GUK-ID differs per member (GMK-ID XOR a salt from the member's URI, TS 33.180 F.1.3).",
    )?;
    detail("Both messages carry the same RAND, so each member can also derive the others' keys.")?;

    let mut carol_side = Responder::new(carol, carol_trust, ResponderConfig::default());
    let (bob_group, carol_group) = step(
        16,
        "Bob and Carol each verify and decapsulate theirs",
        || {
            let b = bob_side
                .receive(&to_bob.bytes, now)
                .map_err(|e| failed("Bob receiving the GMK", e))?;
            let c = carol_side
                .receive(&to_carol.bytes, now)
                .map_err(|e| failed("Carol receiving the GMK", e))?;
            Ok((b, c))
        },
    )?;
    for (who, r) in [("Bob", &bob_group), ("Carol", &carol_group)] {
        detail(format_args!(
            "{who:<5}: signature verified (KPAK of {}); GMK fingerprint {}, GMK-ID {}, group {}",
            r.initiator_kms,
            fingerprint(r.key.as_bytes()),
            r.key_id,
            group_of(r)
        ))?;
    }
    if !bool::from(bob_group.key.ct_eq(&carol_group.key))
        || bob_group.key_id != gmk_id
        || carol_group.key_id != gmk_id
    {
        return Err(broken("Bob and Carol recovered different GMKs"));
    }
    detail("Both hold the same GMK and GMK-ID.")?;

    let group = cs_id::MCPTT_GROUP;
    let (mut bob_gtx, mut carol_gtx, mut carol_own) = step(
        17,
        "Each derives its own group SRTP context for cs_id 4 in one call",
        || {
            let ctx = |r: Result<SrtpContext, mikey_sakke::Error>| {
                r.map_err(|e| failed("deriving a group SRTP context", e))
            };
            Ok((
                ctx(bob_group.srtp_context(group))?,
                ctx(carol_group.srtp_context(group))?,
                ctx(carol_group.srtp_context(group))?,
            ))
        },
    )?;
    detail(format_args!(
        "profile {} with RFC 4771 RCCm3 (the ROC rides in every packet): TS 33.180 group profile",
        bob_gtx.policy().profile()
    ))?;
    for (who, r) in [("Bob", &bob_group), ("Carol", &carol_group)] {
        let s = r
            .session(group)
            .ok_or_else(|| broken("no cs_id 4 session"))?;
        detail(format_args!(
            "{who:<5}: MKI {} (GMK-ID || own GUK-ID), master key+salt fingerprint {}",
            hexarg::encode(&s.mki),
            session_fingerprint(s)
        ))?;
    }
    detail("The keys differ: each member's CSB-ID is its own GUK-ID (TS 33.180 §7.4.2), so each")?;
    detail("member sends under its own key; the MKI (GMK-ID || GUK-ID) in every packet lets")?;
    detail("the listeners derive the sender's keys from the GMK.")?;

    let talk = "Bob to the rescue team: on my way.";
    let (shown, own_result, heard) = step(
        18,
        "Bob talks to the group; Carol reads the packet's MKI, derives Bob's keys from the GMK and his GUK-ID, and unprotects",
        || {
            let plain = rtp(1, BOB_SSRC, talk.as_bytes());
            let mut p = plain.clone();
            bob_gtx
                .protect_rtp(&mut p)
                .map_err(|e| failed("protecting Bob's group packet", e))?;
            let shown = show_srtp(plain.len(), &p);
            let mut with_own = p.clone();
            let own_result = carol_own.unprotect_rtp(&mut with_own);
            let mki = carol_own
                .rtp_packet_mki(&p)
                .ok_or_else(|| broken("no MKI in the packet"))?
                .to_vec();
            let mut carol_rx = carol_group
                .sender_srtp_context(group, &mki)
                .map_err(|e| failed("deriving Bob's group keys", e))?;
            carol_rx
                .unprotect_rtp(&mut p)
                .map_err(|e| failed("unprotecting Bob's group packet", e))?;
            if p != plain {
                return Err(broken("Carol recovered another packet"));
            }
            Ok((format!("{shown} MKI {}", hexarg::encode(&mki)), own_result, payload_text(&p)))
        },
    )?;
    detail(shown)?;
    match own_result {
        Err(e) => detail(format_args!(
            "with her own group keys: rejected ({e}), as expected"
        ))?,
        Ok(()) => return Err(broken("Carol's own keys opened Bob's packet")),
    }
    detail(format_args!("with Bob's keys: \"{heard}\""))?;

    let reply = "Carol: copy that, Bob.";
    let heard = step(19, "Carol answers the group; Bob does the same", || {
        let plain = rtp(1, CAROL_SSRC, reply.as_bytes());
        let mut p = plain.clone();
        carol_gtx
            .protect_rtp(&mut p)
            .map_err(|e| failed("protecting Carol's group packet", e))?;
        let mki = bob_gtx
            .rtp_packet_mki(&p)
            .ok_or_else(|| broken("no MKI in the packet"))?
            .to_vec();
        let mut bob_grx = bob_group
            .sender_srtp_context(group, &mki)
            .map_err(|e| failed("deriving Carol's group keys", e))?;
        bob_grx
            .unprotect_rtp(&mut p)
            .map_err(|e| failed("unprotecting Carol's group packet", e))?;
        if p != plain {
            return Err(broken("Bob recovered another packet"));
        }
        Ok(payload_text(&p))
    })?;
    detail(format_args!("Bob hears: \"{heard}\""))?;

    let (issued_a, issued_b) = step(
        20,
        "KMS A and KMS B shut down gracefully; their temporary stores are removed",
        || {
            Ok((
                stop_and_remove(&rt, kms_a, dir_a)?,
                stop_and_remove(&rt, kms_b, dir_b)?,
            ))
        },
    )?;
    detail(format_args!(
        "key sets issued (audit log): KMS A {issued_a}, KMS B {issued_b}"
    ))?;

    line(format_args!(
        "\nDone: all steps succeeded in {:.1} ms.",
        total.elapsed().as_secs_f64() * 1e3
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elided_text() {
        assert_eq!(elide("mikey ARoF", 20), "mikey ARoF");
        assert_eq!(elide("abcdef", 3), "abc… (6 characters)");
    }

    #[test]
    fn rtp_header() {
        let p = rtp(2, 0x0102_0304, b"x");
        assert_eq!(hexarg::encode(&p), "80600002000001400102030478");
        assert_eq!(payload_text(&p), "x");
    }
}
