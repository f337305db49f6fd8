//! `msk demo`: the secure call runs to the end (exit 0) and prints what it
//! claims: two real KMS servers on loopback that trust each other, keys
//! provisioned over HTTPS, verified signatures, matching keys on both ends,
//! recovered media, rejected replays, and the servers stopped with their
//! temporary stores removed. Run with `--release` (SAKKE and ECCSI are slow in debug).

use std::process::Command;

fn demo() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_msk"))
        .arg("demo")
        .output()
        .expect("run msk demo");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stderr.is_empty(), "{stderr}");
    stdout
}

/// The lines containing `needle`.
fn lines<'a>(out: &'a str, needle: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.contains(needle)).collect()
}

/// The word after `label` on `line`.
fn word_after<'a>(line: &'a str, label: &str) -> &'a str {
    let rest = &line[line
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {line}"))
        + label.len()..];
    rest.split([' ', ',', ';', ')', ':'])
        .find(|w| !w.is_empty())
        .unwrap_or_default()
}

#[test]
fn demo_secure_call() {
    let out = demo();
    let has = |s: &str| assert!(out.contains(s), "missing {s:?} in:\n{out}");

    // Steps 1–20, in order.
    let mut at = 0;
    for n in 1..=20 {
        let title = format!("\n{n:>2}. ");
        let i = out[at..]
            .find(&title)
            .unwrap_or_else(|| panic!("step {n} missing:\n{out}"));
        at += i + title.len();
    }
    has("Done: all steps succeeded");
    has("Alice and Bob now share the same SSV (the PCK).");

    // Two KMSs with certificate-like public sets.
    has("published certificate: KMS URI kms.org-a.example, KPAK, Z, UserKeyPeriod 2592000 s, UserKeyOffset 0");
    has("published certificate: KMS URI kms.org-b.example, KPAK, Z, UserKeyPeriod 2592000 s, UserKeyOffset 0");

    // Each KMS is a real server on its own loopback port, over TLS.
    let serving = lines(
        &out,
        "serving TS 33.180 Annex D over HTTPS at https://127.0.0.1:",
    );
    assert_eq!(serving.len(), 2, "{out}");
    let port = |l: &str| {
        word_after(l, "https://127.0.0.1:")
            .parse::<u16>()
            .unwrap_or_else(|_| panic!("port in {l}"))
    };
    assert_ne!(port(serving[0]), port(serving[1]));
    has("KMS A trusts kms.org-b.example, KMS B trusts kms.org-a.example");

    // Keys provisioned over HTTP from the right KMS; trust from certcache.
    for (user, kms, other) in [
        (
            "sip:alice@org-a.example",
            "kms.org-a.example",
            "kms.org-b.example",
        ),
        (
            "sip:carol@org-a.example",
            "kms.org-a.example",
            "kms.org-b.example",
        ),
        (
            "sip:gms@org-a.example",
            "kms.org-a.example",
            "kms.org-b.example",
        ),
        (
            "sip:bob@org-b.example",
            "kms.org-b.example",
            "kms.org-a.example",
        ),
    ] {
        let uid = lines(&out, &format!("{user} "));
        assert!(
            uid.iter()
                .any(|l| l.contains(" UID ") && l.ends_with(&format!("from {kms}"))),
            "{out}"
        );
        assert!(
            uid.iter()
                .any(|l| l.ends_with(&format!("trusts {kms} (own), {other} (certcache)"))),
            "{out}"
        );
    }

    // The private call's I_MESSAGE crosses the organisations.
    has("sent as \"mikey ");
    has("IDRkmsi: kms.org-a.example  →  IDRkmsr: kms.org-b.example");
    has("SDP offer: a=key-mgmt:mikey ");
    has("signature verified with the KPAK of kms.org-a.example; PCK decapsulated with Bob's RSK from kms.org-b.example");
    let pck = lines(&out, "PCK fingerprint");
    assert_eq!(pck.len(), 2, "{out}");
    assert_eq!(
        word_after(pck[0], "PCK fingerprint"),
        word_after(pck[1], "PCK fingerprint")
    );
    assert_eq!(word_after(pck[0], "PCK-ID"), word_after(pck[1], "PCK-ID"));

    // Matching SRTP keys on both ends, one cs_id per direction.
    for cs in ["cs_id 0 (Alice → Bob)", "cs_id 1 (Bob → Alice)"] {
        let l = lines(&out, cs);
        assert_eq!(l.len(), 1, "{out}");
        assert!(l[0].ends_with(": match"), "{}", l[0]);
        let alice = word_after(l[0], "fingerprint Alice ");
        assert_eq!(alice.len(), 8, "{}", l[0]);
        assert_eq!(alice, word_after(l[0], ", Bob "));
    }
    has("profile AEAD_AES_128_GCM (TS 33.180 private-call default)");

    // Media both ways.
    has("#1: \"Hello Bob, it's Alice.\"");
    has("#3: \"Over.\"");
    has("Alice hears: \"Loud and clear, Alice.\"");

    // Replays.
    has("rejected: replayed packet (index 1 already received)");
    has("rejected: replayed MIKEY message");

    // The group key: two messages, different CSB-IDs, one GMK-ID.
    let to = lines(&out, "CSB-ID (GUK-ID)");
    assert_eq!(to.len(), 2, "{out}");
    assert_ne!(
        word_after(to[0], "CSB-ID (GUK-ID)"),
        word_after(to[1], "CSB-ID (GUK-ID)")
    );
    assert_eq!(word_after(to[0], "GMK-ID"), word_after(to[1], "GMK-ID"));
    let got = lines(
        &out,
        "signature verified (KPAK of kms.org-a.example); GMK fingerprint",
    );
    assert_eq!(got.len(), 2, "{out}");
    assert_eq!(
        word_after(got[0], "GMK fingerprint"),
        word_after(got[1], "GMK fingerprint")
    );
    assert_eq!(word_after(got[0], "GMK-ID"), word_after(got[1], "GMK-ID"));
    assert_eq!(word_after(got[0], "GMK-ID"), word_after(to[0], "GMK-ID"));
    has("Both hold the same GMK and GMK-ID.");

    // Per-member keys; group media between the members.
    has("RCCm3");
    let mki = lines(&out, "(GMK-ID || own GUK-ID)");
    assert_eq!(mki.len(), 2, "{out}");
    assert_ne!(word_after(mki[0], "MKI"), word_after(mki[1], "MKI"));
    has("with her own group keys: rejected (unknown MKI)");
    has("with Bob's keys: \"Bob to the rescue team: on my way.\"");
    has("Bob hears: \"Carol: copy that, Bob.\"");

    // Shut down: three key sets from KMS A, one from KMS B; the stores are gone.
    has("KMS A and KMS B shut down gracefully; their temporary stores are removed");
    has("key sets issued (audit log): KMS A 3, KMS B 1");
    let stores = lines(&out, "store: ");
    assert_eq!(stores.len(), 2, "{out}");
    for l in stores {
        let path = word_after(l, "store: ");
        assert!(path.contains("msk-demo-kms-"), "{l}");
        assert!(!std::path::Path::new(path).exists(), "{path} left behind");
    }

    // No secret in hex: fingerprints only (4 octets).
    for l in lines(&out, "fingerprint") {
        for w in l.split(|c: char| !c.is_ascii_hexdigit()) {
            assert!(w.len() <= 16, "long hex {w} in {l}");
        }
    }
}
