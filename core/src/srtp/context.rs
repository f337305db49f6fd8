//! The SRTP/SRTCP crypto context (RFC 3711 §3.2) and the packet transforms
//! (RFC 3711 §3.3, §3.4; RFC 7714 §8, §9; RFC 4771).

use std::collections::HashMap;

use super::crypto::{Session, SessionCipher};
use super::keys::{check_master, Kdf, SessionKeys};
use super::replay::ReplayWindow;
use super::{SrtpError, SrtpPolicy};

/// The longest MKI accepted (RFC 4568 §9.2 allows 1..=128 octets).
pub const MAX_MKI_LEN: usize = 128;

/// The default replay window, in packets (RFC 3711 §3.3.2 requires at least
/// 64; 128 is the common choice).
pub const DEFAULT_REPLAY_WINDOW: u32 = 128;

/// Highest SRTP packet index + 1 (48 bits, RFC 3711 §3.3.1).
const SRTP_INDEX_LIMIT: u64 = 1 << 48;
/// Highest SRTCP index + 1 (31 bits, RFC 3711 §3.4).
const SRTCP_INDEX_LIMIT: u32 = 1 << 31;
/// The GCM tag length (RFC 7714 §7).
const GCM_TAG_LEN: usize = 16;
/// Length of an RCC ROC (RFC 4771 §3.1).
const RCC_ROC_LEN: usize = 4;
/// Length of the SRTCP `E || index` word.
const E_INDEX_LEN: usize = 4;

/// Options of a crypto context beyond the policy and master key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SrtpOptions<'a> {
    /// The MKI sent with every packet and required in every received packet
    /// (RFC 3711 §3.1); `None` = no MKI. TS 33.180: 8 octets (GMK-ID ||
    /// GUK-ID) or 4 octets (PCK-ID), §7.4.
    pub mki: Option<&'a [u8]>,
    /// Replay window size in packets, 64..=32768 (RFC 3711 §3.3.2).
    pub replay_window: u32,
    /// The ROC every new SSRC starts with, sending and receiving (RFC 3711
    /// §3.3.1; TS 33.180 signals it in the SRTP-ID map or carries it with
    /// RCC). Set it per SSRC with [`SrtpContext::set_roc`].
    pub initial_roc: u32,
    /// The first SRTCP index sent for every new SSRC (RFC 3711 §3.4: the
    /// start value is the sender's choice). Per SSRC:
    /// [`SrtpContext::set_srtcp_index`].
    pub initial_srtcp_index: u32,
}

impl Default for SrtpOptions<'_> {
    fn default() -> Self {
        SrtpOptions {
            mki: None,
            replay_window: DEFAULT_REPLAY_WINDOW,
            initial_roc: 0,
            initial_srtcp_index: 0,
        }
    }
}

/// Sender state of one SSRC.
#[derive(Debug, Clone)]
struct SendState {
    started: bool,
    roc: u32,
    s_l: u16,
    srtcp_index: u32,
}

/// State of one SSRC: sending and receiving are kept apart, so one context
/// can both protect and unprotect the same SSRC (e.g. a loopback).
#[derive(Debug, Clone)]
struct Stream {
    send: SendState,
    /// Receiver ROC before the first authenticated packet.
    recv_roc: u32,
    /// Receiver SRTP replay window; its top is `ROC·2^16 + s_l`.
    recv: ReplayWindow,
    /// Receiver SRTCP replay window.
    recv_rtcp: ReplayWindow,
}

/// One SRTP/SRTCP crypto context (RFC 3711 §3.2.1): one master key and salt,
/// an optional MKI, the policy, and per-SSRC state.
///
/// Like libsrtp's session, a context serves any number of SSRCs: the ROC,
/// highest sequence number, SRTCP index and replay windows are kept **per
/// SSRC** (in a map; a stream's state is allocated once, on its first
/// packet), separately for the sending and the receiving direction. Session
/// keys (AES key schedules, GCM state and the keyed HMAC-SHA1 inner/outer
/// state) are derived once per master key (kdr = 0) and reused for every
/// packet; with kdr ≠ 0 they are re-derived when `index DIV kdr` changes
/// (RFC 3711 §4.3.1). One set of session keys per family (SRTP, SRTCP) is
/// cached, so with kdr ≠ 0 and several SSRCs at different indices keys are
/// re-derived as often as needed (correct, only slower).
///
/// The sender does not refuse to protect a sequence number twice (libsrtp
/// does unless `allow_repeat_tx`); doing so reuses the key stream, so don't.
///
/// # Buffers
///
/// The transforms work in place and do not allocate per packet:
///
/// * [`protect_rtp_in_place`](Self::protect_rtp_in_place)(`buf`, `len`): the
///   RTP packet is `buf[..len]`; `buf` must have room for
///   [`rtp_overhead`](Self::rtp_overhead) more octets; returns the SRTP
///   length. [`unprotect_rtp_in_place`](Self::unprotect_rtp_in_place)(`buf`)
///   returns the RTP length (the plaintext is `buf[..n]`). Same for RTCP.
/// * [`protect_rtp`](Self::protect_rtp) / [`unprotect_rtp`](Self::unprotect_rtp)
///   on a `Vec<u8>`: resize/truncate the vector (allocating only if its
///   capacity is short by the overhead).
///
/// Every check happens before the buffer is modified: on error the input
/// packet is left as it was (except that the `Vec` forms restore its length).
///
/// # Receiving
///
/// Index estimation follows RFC 3711 §3.3.1 / Appendix A; the replay window
/// is checked before the tag and updated only after it verifies (RFC 3711
/// §3.3.2), and so are the ROC and `s_l`.
#[derive(Debug)]
pub struct SrtpContext {
    policy: SrtpPolicy,
    /// `None` for a context built from session keys (no re-derivation).
    kdf: Option<Kdf>,
    mki: Option<Vec<u8>>,
    replay_window: u32,
    initial_roc: u32,
    initial_srtcp_index: u32,
    srtp: Session,
    srtcp: Session,
    streams: HashMap<u32, Stream>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Session(..)")
    }
}

/// The parsed fixed RTP header fields we need.
struct RtpHeader {
    seq: u16,
    ssrc: u32,
    len: usize,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

fn too_short(len: usize, min: usize) -> SrtpError {
    SrtpError::PacketTooShort { len, min }
}

/// Checks the RTP version and reads SEQ and SSRC (RFC 3550 §5.1).
fn rtp_fixed(packet: &[u8], full_len: usize, trailer: usize) -> Result<(u16, u32), SrtpError> {
    let first = *packet.first().ok_or(too_short(full_len, 12 + trailer))?;
    if first >> 6 != 2 {
        return Err(SrtpError::BadVersion {
            version: first >> 6,
        });
    }
    match (be16(packet, 2), be32(packet, 8)) {
        (Some(seq), Some(ssrc)) => Ok((seq, ssrc)),
        _ => Err(too_short(full_len, 12 + trailer)),
    }
}

/// Parses the RTP header of `packet` (the part before any SRTP trailer):
/// 12 octets, 4·CC of CSRCs and, with X set, the header extension
/// `4 + 4·length` (RFC 3550 §5.1, §5.3.1). `full_len` and `trailer` only
/// feed the error.
fn rtp_header(packet: &[u8], full_len: usize, trailer: usize) -> Result<RtpHeader, SrtpError> {
    let (seq, ssrc) = rtp_fixed(packet, full_len, trailer)?;
    let first = packet.first().copied().unwrap_or(0);
    let mut len = 12 + 4 * usize::from(first & 0x0f);
    if first & 0x10 != 0 {
        let ext_words = be16(packet, len + 2).ok_or(too_short(full_len, len + 4 + trailer))?;
        len += 4 + 4 * usize::from(ext_words);
    }
    if len > packet.len() {
        return Err(too_short(full_len, len + trailer));
    }
    Ok(RtpHeader { seq, ssrc, len })
}

/// RFC 3711 §3.3.1 / Appendix A: the ROC guess `v` for `seq`, given the
/// current ROC and highest sequence number `s_l`. `None` if `v` would be
/// negative (a packet from before ROC 0).
fn estimate_roc(roc: u32, s_l: u16, seq: u16) -> Option<u64> {
    const HALF: u16 = 1 << 15;
    let roc = u64::from(roc);
    if s_l < HALF {
        if seq > s_l && seq - s_l > HALF {
            roc.checked_sub(1)
        } else {
            Some(roc)
        }
    } else if s_l - HALF > seq {
        // May reach 2^32: the index is then 2^48 or more (exhausted).
        Some(roc + 1)
    } else {
        Some(roc)
    }
}

/// `i = v·2^16 + SEQ`, and `v` as a ROC; `KeyExhausted` from 2^48 on.
fn packet_index(v: u64, seq: u16) -> Result<(u64, u32), SrtpError> {
    let index = (v << 16) | u64::from(seq);
    match u32::try_from(v) {
        Ok(v) if index < SRTP_INDEX_LIMIT => Ok((index, v)),
        _ => Err(SrtpError::KeyExhausted),
    }
}

fn copy_into(buf: &mut [u8], at: usize, data: &[u8]) -> Result<(), SrtpError> {
    let end = at + data.len();
    let capacity = buf.len();
    buf.get_mut(at..end)
        .ok_or(SrtpError::BufferTooSmall {
            needed: end,
            capacity,
        })?
        .copy_from_slice(data);
    Ok(())
}

impl SrtpContext {
    /// Creates a context for `policy` (a [`Profile`](super::Profile) converts
    /// into one) with the given master key and salt (RFC 3711 §3.2.1;
    /// lengths: [`Profile::master_key_len`](super::Profile::master_key_len),
    /// [`Profile::master_salt_len`](super::Profile::master_salt_len)).
    ///
    /// The master key and salt are not kept: only the PRF's AES key schedule
    /// and the salt (zeroized on drop) and the derived session state.
    pub fn new(
        policy: impl Into<SrtpPolicy>,
        master_key: &[u8],
        master_salt: &[u8],
        options: &SrtpOptions<'_>,
    ) -> Result<Self, SrtpError> {
        let policy = policy.into();
        let profile = policy.profile();
        check_master(profile, master_key, master_salt)?;
        Self::check_options(options)?;
        let kdf = Kdf::new(master_key, master_salt, policy.kdr())?;
        let srtp = Session::new(&kdf, profile, false)?;
        let srtcp = Session::new(&kdf, profile, true)?;
        Ok(SrtpContext {
            policy,
            kdf: Some(kdf),
            mki: options.mki.map(<[u8]>::to_vec),
            replay_window: options.replay_window,
            initial_roc: options.initial_roc,
            initial_srtcp_index: options.initial_srtcp_index,
            srtp,
            srtcp,
            streams: HashMap::new(),
        })
    }

    /// A context from session keys given directly instead of a master key
    /// (for test vectors such as RFC 7714 §16–17, or keys exported from
    /// another stack). `srtp` and `srtcp` must have the profile's lengths
    /// (see [`SessionKeys::new`]); the policy's kdr must be 0 since nothing
    /// can be re-derived.
    pub fn from_session_keys(
        policy: impl Into<SrtpPolicy>,
        srtp: &SessionKeys,
        srtcp: &SessionKeys,
        options: &SrtpOptions<'_>,
    ) -> Result<Self, SrtpError> {
        let policy = policy.into();
        if policy.kdr() != 0 {
            return Err(SrtpError::UnsupportedPolicy(
                "a context from session keys needs kdr 0",
            ));
        }
        let profile = policy.profile();
        for keys in [srtp, srtcp] {
            keys.check(profile)?;
        }
        Self::check_options(options)?;
        Ok(SrtpContext {
            policy,
            kdf: None,
            mki: options.mki.map(<[u8]>::to_vec),
            replay_window: options.replay_window,
            initial_roc: options.initial_roc,
            initial_srtcp_index: options.initial_srtcp_index,
            srtp: Session::from_keys(profile, srtp, false)?,
            srtcp: Session::from_keys(profile, srtcp, true)?,
            streams: HashMap::new(),
        })
    }

    fn check_options(options: &SrtpOptions<'_>) -> Result<(), SrtpError> {
        if let Some(mki) = options.mki {
            if mki.is_empty() || mki.len() > MAX_MKI_LEN {
                return Err(SrtpError::MkiLength { len: mki.len() });
            }
        }
        if !(64..=32768).contains(&options.replay_window) {
            return Err(SrtpError::ReplayWindowSize {
                size: options.replay_window,
            });
        }
        if options.initial_srtcp_index >= SRTCP_INDEX_LIMIT {
            return Err(SrtpError::KeyExhausted);
        }
        Ok(())
    }

    /// The policy.
    pub fn policy(&self) -> &SrtpPolicy {
        &self.policy
    }

    /// The MKI, if the context uses one.
    pub fn mki(&self) -> Option<&[u8]> {
        self.mki.as_deref()
    }

    fn mki_len(&self) -> usize {
        self.mki.as_ref().map_or(0, Vec::len)
    }

    fn rcc_len(&self, seq: u16) -> usize {
        match self.policy.rcc() {
            Some(rcc) if seq.is_multiple_of(rcc.rate.max(1)) => RCC_ROC_LEN,
            _ => 0,
        }
    }

    /// The most octets SRTP protection appends to an RTP packet: tag (or
    /// GCM tag), MKI and the RCC ROC.
    pub fn rtp_overhead(&self) -> usize {
        let rcc = if self.policy.rcc().is_some() {
            RCC_ROC_LEN
        } else {
            0
        };
        self.policy.profile().srtp_tag_len() + self.mki_len() + rcc
    }

    /// The octets SRTCP protection appends to an RTCP packet: `E || index`,
    /// MKI and tag.
    pub fn rtcp_overhead(&self) -> usize {
        E_INDEX_LEN + self.mki_len() + self.policy.profile().srtcp_tag_len()
    }

    fn stream(&mut self, ssrc: u32) -> &mut Stream {
        let (roc, srtcp_index, window) = (
            self.initial_roc,
            self.initial_srtcp_index,
            self.replay_window,
        );
        self.streams.entry(ssrc).or_insert_with(|| Stream {
            send: SendState {
                started: false,
                roc,
                s_l: 0,
                srtcp_index,
            },
            recv_roc: roc,
            recv: ReplayWindow::new(window),
            recv_rtcp: ReplayWindow::new(window),
        })
    }

    /// Sets the ROC of `ssrc` for both directions and restarts its sequence
    /// tracking and SRTP replay window (e.g. from a TS 33.180 SRTP-ID map or
    /// after a late join).
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) {
        let s = self.stream(ssrc);
        s.send.roc = roc;
        s.send.started = false;
        s.recv_roc = roc;
        s.recv.reset();
    }

    /// The sender's ROC for `ssrc` (after the packets protected so far).
    pub fn send_roc(&self, ssrc: u32) -> Option<u32> {
        self.streams.get(&ssrc).map(|s| s.send.roc)
    }

    /// The receiver's ROC for `ssrc` (that of the highest authenticated packet).
    pub fn recv_roc(&self, ssrc: u32) -> Option<u32> {
        self.streams.get(&ssrc).map(|s| match s.recv.top() {
            // The top is below 2^48, so the shift fits.
            Some(top) => u32::try_from(top >> 16).unwrap_or(u32::MAX),
            None => s.recv_roc,
        })
    }

    /// Sets the next SRTCP index sent for `ssrc` (31 bits).
    pub fn set_srtcp_index(&mut self, ssrc: u32, index: u32) -> Result<(), SrtpError> {
        if index >= SRTCP_INDEX_LIMIT {
            return Err(SrtpError::KeyExhausted);
        }
        self.stream(ssrc).send.srtcp_index = index;
        Ok(())
    }

    /// The MKI field of an SRTP packet for this context's MKI length and
    /// profile (for choosing a context by MKI, RFC 3711 §3.3 step 2).
    pub fn rtp_packet_mki<'a>(&self, packet: &'a [u8]) -> Option<&'a [u8]> {
        let mki_len = self.mki.as_ref()?.len();
        let seq = be16(packet, 2)?;
        let after = if self.policy.profile().is_aead() {
            self.rcc_len(seq)
        } else {
            self.policy.profile().srtp_tag_len()
        };
        let end = packet.len().checked_sub(after)?;
        packet.get(end.checked_sub(mki_len)?..end)
    }

    /// The MKI field of an SRTCP packet (see [`Self::rtp_packet_mki`]).
    pub fn rtcp_packet_mki<'a>(&self, packet: &'a [u8]) -> Option<&'a [u8]> {
        let mki_len = self.mki.as_ref()?.len();
        let after = if self.policy.profile().is_aead() {
            0
        } else {
            self.policy.profile().srtcp_tag_len()
        };
        let end = packet.len().checked_sub(after)?;
        packet.get(end.checked_sub(mki_len)?..end)
    }

    fn check_mki(&self, packet: &[u8], at: usize) -> Result<(), SrtpError> {
        if let Some(mki) = &self.mki {
            if packet.get(at..at + mki.len()) != Some(mki.as_slice()) {
                return Err(SrtpError::UnknownMki);
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ SRTP

    /// Protects the RTP packet `buf[..len]` in place (RFC 3711 §3.3; RFC 7714
    /// §8; RFC 4771 for RCC) and returns the SRTP packet length. `buf` must
    /// be at least `len +` [`rtp_overhead`](Self::rtp_overhead) long.
    ///
    /// The sender's ROC is advanced when SEQ wraps (RFC 3711 §3.3.1), using
    /// the same estimation as a receiver so reordered sends are handled.
    pub fn protect_rtp_in_place(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let capacity = buf.len();
        let packet = buf.get(..len).ok_or(SrtpError::BufferTooSmall {
            needed: len,
            capacity,
        })?;
        let hdr = rtp_header(packet, len, 0)?;
        let profile = self.policy.profile();
        let mki_len = self.mki_len();
        let rcc_len = self.rcc_len(hdr.seq);
        let total = len + profile.srtp_tag_len() + mki_len + rcc_len;
        if total > capacity {
            return Err(SrtpError::BufferTooSmall {
                needed: total,
                capacity,
            });
        }
        let (roc, s_l, started) = {
            let s = &self.stream(hdr.ssrc).send;
            (s.roc, s.s_l, s.started)
        };
        let v = if started {
            estimate_roc(roc, s_l, hdr.seq).ok_or(SrtpError::ReplayTooOld {
                index: u64::from(hdr.seq),
            })?
        } else {
            u64::from(roc)
        };
        let (index, v) = packet_index(v, hdr.seq)?;
        let srtp_encryption = self.policy.srtp_encryption();
        let cipher = self.srtp.for_index(self.kdf.as_ref(), index)?;
        let mut at = len;
        match cipher {
            SessionCipher::Cm { .. } => {
                if srtp_encryption {
                    cipher.cm_apply(
                        hdr.ssrc,
                        index,
                        buf.get_mut(hdr.len..len).unwrap_or(&mut []),
                    );
                }
                let tag = cipher.hmac(&[buf.get(..len).unwrap_or(&[]), &v.to_be_bytes()]);
                if let Some(mki) = &self.mki {
                    copy_into(buf, at, mki)?;
                    at += mki.len();
                }
                let tag_len = profile.srtp_tag_len();
                copy_into(buf, at, tag.0.get(..tag_len).unwrap_or(&[]))?;
                at += tag_len;
            }
            _ => {
                let iv = rtp_gcm_iv(hdr.ssrc, v, hdr.seq);
                let (head, payload) = buf.split_at_mut(hdr.len);
                let payload = payload.get_mut(..len - hdr.len).unwrap_or(&mut []);
                let tag = cipher.gcm_seal(iv, head, payload)?;
                copy_into(buf, at, &tag)?;
                at += GCM_TAG_LEN;
                if let Some(mki) = &self.mki {
                    copy_into(buf, at, mki)?;
                    at += mki.len();
                }
                if rcc_len != 0 {
                    copy_into(buf, at, &v.to_be_bytes())?;
                    at += RCC_ROC_LEN;
                }
            }
        }
        let send = &mut self.stream(hdr.ssrc).send;
        if !send.started {
            send.started = true;
            send.s_l = hdr.seq;
        } else if v > roc {
            send.roc = v;
            send.s_l = hdr.seq;
        } else if v == roc && hdr.seq > send.s_l {
            send.s_l = hdr.seq;
        }
        Ok(at)
    }

    /// Unprotects the SRTP packet `buf` in place (RFC 3711 §3.3 steps 1–7;
    /// RFC 7714 §8.2; RFC 4771) and returns the RTP packet length (the RTP
    /// packet is `buf[..n]`). On error nothing is changed.
    pub fn unprotect_rtp_in_place(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let len = buf.len();
        let profile = self.policy.profile();
        let mki_len = self.mki_len();
        // SEQ (needed to know whether an RCC ROC is present) and the version.
        let (seq, _) = rtp_fixed(buf, len, 0)?;
        let rcc_len = self.rcc_len(seq);
        let trailer = profile.srtp_tag_len() + mki_len + rcc_len;
        let body_len = len
            .checked_sub(trailer)
            .ok_or(too_short(len, 12 + trailer))?;
        let hdr = rtp_header(buf.get(..body_len).unwrap_or(&[]), len, trailer)?;
        let aead = profile.is_aead();
        // Where the MKI sits: before the HMAC tag, after the GCM tag.
        let mki_at = if aead {
            body_len + GCM_TAG_LEN
        } else {
            body_len
        };
        self.check_mki(buf, mki_at)?;
        let carried_roc = if rcc_len != 0 {
            be32(buf, len - RCC_ROC_LEN)
        } else {
            None
        };

        let initial_roc = self.initial_roc;
        let stream = self.streams.get(&hdr.ssrc);
        let (roc, s_l) = match stream.map(|s| (s.recv.top(), s.recv_roc)) {
            Some((Some(top), _)) => (
                u32::try_from(top >> 16).unwrap_or(u32::MAX),
                // Truncation intended: the low 16 bits are s_l.
                top as u16,
            ),
            Some((None, r)) => (r, hdr.seq),
            None => (initial_roc, hdr.seq),
        };
        let v = match carried_roc {
            Some(r) => u64::from(r),
            None => estimate_roc(roc, s_l, hdr.seq).ok_or(SrtpError::ReplayTooOld {
                index: u64::from(hdr.seq),
            })?,
        };
        let (index, v) = packet_index(v, hdr.seq)?;
        if let Some(s) = stream {
            s.recv.check(index)?;
        }

        let srtp_encryption = self.policy.srtp_encryption();
        let cipher = self.srtp.for_index(self.kdf.as_ref(), index)?;
        if aead {
            let ct_end = body_len;
            let mut tag = [0u8; GCM_TAG_LEN];
            tag.copy_from_slice(buf.get(ct_end..ct_end + GCM_TAG_LEN).unwrap_or(&[0; 16]));
            let iv = rtp_gcm_iv(hdr.ssrc, v, hdr.seq);
            let (head, payload) = buf.split_at_mut(hdr.len);
            let payload = payload.get_mut(..ct_end - hdr.len).unwrap_or(&mut []);
            cipher.gcm_open(iv, head, payload, &tag)?;
        } else {
            let tag_at = body_len + mki_len;
            let ok = cipher.hmac_verify(
                &[buf.get(..body_len).unwrap_or(&[]), &v.to_be_bytes()],
                buf.get(tag_at..).unwrap_or(&[]),
            );
            if !ok {
                return Err(SrtpError::AuthenticationFailed);
            }
            if srtp_encryption {
                cipher.cm_apply(
                    hdr.ssrc,
                    index,
                    buf.get_mut(hdr.len..body_len).unwrap_or(&mut []),
                );
            }
        }
        self.stream(hdr.ssrc).recv.accept(index);
        Ok(body_len)
    }

    /// [`protect_rtp_in_place`](Self::protect_rtp_in_place) on a `Vec`: the
    /// RTP packet is replaced by the SRTP packet.
    pub fn protect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        let len = packet.len();
        packet.resize(len + self.rtp_overhead(), 0);
        match self.protect_rtp_in_place(packet, len) {
            Ok(n) => {
                packet.truncate(n);
                Ok(())
            }
            Err(e) => {
                packet.truncate(len);
                Err(e)
            }
        }
    }

    /// [`unprotect_rtp_in_place`](Self::unprotect_rtp_in_place) on a `Vec`:
    /// the SRTP packet is replaced by the RTP packet.
    pub fn unprotect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        let n = self.unprotect_rtp_in_place(packet)?;
        packet.truncate(n);
        Ok(())
    }

    // ----------------------------------------------------------------- SRTCP

    /// Protects the RTCP packet (compound packet) `buf[..len]` in place (RFC
    /// 3711 §3.4; RFC 7714 §9) with the next SRTCP index of its SSRC and
    /// returns the SRTCP length. `buf` must be at least `len +`
    /// [`rtcp_overhead`](Self::rtcp_overhead) long. With SRTCP encryption off
    /// in the policy, E = 0 and only the tag is added.
    pub fn protect_rtcp_in_place(
        &mut self,
        buf: &mut [u8],
        len: usize,
    ) -> Result<usize, SrtpError> {
        let capacity = buf.len();
        let packet = buf.get(..len).ok_or(SrtpError::BufferTooSmall {
            needed: len,
            capacity,
        })?;
        let (ssrc, _) = rtcp_fixed(packet, len, 0)?;
        let total = len + self.rtcp_overhead();
        if total > capacity {
            return Err(SrtpError::BufferTooSmall {
                needed: total,
                capacity,
            });
        }
        let index = self.stream(ssrc).send.srtcp_index;
        if index >= SRTCP_INDEX_LIMIT {
            return Err(SrtpError::KeyExhausted);
        }
        let encrypt = self.policy.srtcp_encryption();
        let e_index = if encrypt { index | 0x8000_0000 } else { index }.to_be_bytes();
        let profile = self.policy.profile();
        let cipher = self.srtcp.for_index(self.kdf.as_ref(), u64::from(index))?;
        let mut at;
        match cipher {
            SessionCipher::Cm { .. } => {
                if encrypt {
                    cipher.cm_apply(
                        ssrc,
                        u64::from(index),
                        buf.get_mut(8..len).unwrap_or(&mut []),
                    );
                }
                copy_into(buf, len, &e_index)?;
                at = len + E_INDEX_LEN;
                let tag = cipher.hmac(&[buf.get(..at).unwrap_or(&[])]);
                if let Some(mki) = &self.mki {
                    copy_into(buf, at, mki)?;
                    at += mki.len();
                }
                let tag_len = profile.srtcp_tag_len();
                copy_into(buf, at, tag.0.get(..tag_len).unwrap_or(&[]))?;
                at += tag_len;
            }
            _ => {
                let iv = rtcp_gcm_iv(ssrc, index);
                let tag = if encrypt {
                    let mut aad = [0u8; 12];
                    aad[..8].copy_from_slice(buf.get(..8).unwrap_or(&[0; 8]));
                    aad[8..].copy_from_slice(&e_index);
                    cipher.gcm_seal(iv, &aad, buf.get_mut(8..len).unwrap_or(&mut []))?
                } else {
                    // AAD = RTCP packet || E|index, made contiguous in the
                    // room of the tag.
                    copy_into(buf, len, &e_index)?;
                    cipher.gcm_seal(iv, buf.get(..len + E_INDEX_LEN).unwrap_or(&[]), &mut [])?
                };
                copy_into(buf, len, &tag)?;
                copy_into(buf, len + GCM_TAG_LEN, &e_index)?;
                at = len + GCM_TAG_LEN + E_INDEX_LEN;
                if let Some(mki) = &self.mki {
                    copy_into(buf, at, mki)?;
                    at += mki.len();
                }
            }
        }
        self.stream(ssrc).send.srtcp_index = index + 1;
        Ok(at)
    }

    /// Unprotects the SRTCP packet `buf` in place (RFC 3711 §3.4; RFC 7714
    /// §9) and returns the RTCP packet length. The E flag of the packet
    /// decides whether it is decrypted. On error nothing is changed.
    pub fn unprotect_rtcp_in_place(&mut self, buf: &mut [u8]) -> Result<usize, SrtpError> {
        let len = buf.len();
        let profile = self.policy.profile();
        let mki_len = self.mki_len();
        let aead = profile.is_aead();
        let trailer = E_INDEX_LEN + mki_len + profile.srtcp_tag_len();
        if len < 8 + trailer {
            // Still report a version error first if the header is readable.
            if len >= 1 {
                rtcp_fixed(buf, len, trailer)?;
            }
            return Err(too_short(len, 8 + trailer));
        }
        let (ssrc, _) = rtcp_fixed(buf, len, trailer)?;
        // Layout: AES-CM  | RTCP' | E|index | MKI | tag |
        //         AEAD    | RTCP' | tag | E|index | MKI |
        let e_at = if aead {
            len - mki_len - E_INDEX_LEN
        } else {
            len - profile.srtcp_tag_len() - mki_len - E_INDEX_LEN
        };
        let mki_at = e_at + E_INDEX_LEN;
        self.check_mki(buf, mki_at)?;
        let e_word = be32(buf, e_at).ok_or(too_short(len, 8 + trailer))?;
        let mut e_index = [0u8; 4];
        e_index.copy_from_slice(&e_word.to_be_bytes());
        let encrypted = e_word & 0x8000_0000 != 0;
        let index = e_word & 0x7fff_ffff;
        if let Some(s) = self.streams.get(&ssrc) {
            s.recv_rtcp.check(u64::from(index))?;
        }
        let cipher = self.srtcp.for_index(self.kdf.as_ref(), u64::from(index))?;
        let out_len = if aead {
            let tag_at = e_at - GCM_TAG_LEN;
            if tag_at < 8 {
                return Err(too_short(len, 8 + trailer));
            }
            let mut tag = [0u8; GCM_TAG_LEN];
            tag.copy_from_slice(buf.get(tag_at..e_at).unwrap_or(&[0; 16]));
            let iv = rtcp_gcm_iv(ssrc, index);
            if encrypted {
                let mut aad = [0u8; 12];
                aad[..8].copy_from_slice(buf.get(..8).unwrap_or(&[0; 8]));
                aad[8..].copy_from_slice(&e_index);
                cipher.gcm_open(iv, &aad, buf.get_mut(8..tag_at).unwrap_or(&mut []), &tag)?;
            } else {
                // AAD = RTCP packet || E|index: put E|index where the tag was,
                // and put the tag back if verification fails.
                copy_into(buf, tag_at, &e_index)?;
                let r = cipher.gcm_open(
                    iv,
                    buf.get(..tag_at + E_INDEX_LEN).unwrap_or(&[]),
                    &mut [],
                    &tag,
                );
                if let Err(e) = r {
                    copy_into(buf, tag_at, &tag)?;
                    return Err(e);
                }
            }
            tag_at
        } else {
            let tag_at = mki_at + mki_len;
            let ok = cipher.hmac_verify(
                &[buf.get(..mki_at).unwrap_or(&[])],
                buf.get(tag_at..).unwrap_or(&[]),
            );
            if !ok {
                return Err(SrtpError::AuthenticationFailed);
            }
            if encrypted {
                cipher.cm_apply(
                    ssrc,
                    u64::from(index),
                    buf.get_mut(8..e_at).unwrap_or(&mut []),
                );
            }
            e_at
        };
        self.stream(ssrc).recv_rtcp.accept(u64::from(index));
        Ok(out_len)
    }

    /// [`protect_rtcp_in_place`](Self::protect_rtcp_in_place) on a `Vec`.
    pub fn protect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        let len = packet.len();
        packet.resize(len + self.rtcp_overhead(), 0);
        match self.protect_rtcp_in_place(packet, len) {
            Ok(n) => {
                packet.truncate(n);
                Ok(())
            }
            Err(e) => {
                packet.truncate(len);
                Err(e)
            }
        }
    }

    /// [`unprotect_rtcp_in_place`](Self::unprotect_rtcp_in_place) on a `Vec`.
    pub fn unprotect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), SrtpError> {
        let n = self.unprotect_rtcp_in_place(packet)?;
        packet.truncate(n);
        Ok(())
    }
}

/// Checks the RTCP version and reads the sender SSRC (octets 4..8).
fn rtcp_fixed(packet: &[u8], full_len: usize, trailer: usize) -> Result<(u32, u8), SrtpError> {
    let first = *packet.first().ok_or(too_short(full_len, 8 + trailer))?;
    if first >> 6 != 2 {
        return Err(SrtpError::BadVersion {
            version: first >> 6,
        });
    }
    let ssrc = be32(packet, 4).ok_or(too_short(full_len, 8 + trailer))?;
    Ok((ssrc, first))
}

/// RFC 7714 §8.1: `00 00 || SSRC || ROC || SEQ` (XORed with the salt later).
fn rtp_gcm_iv(ssrc: u32, roc: u32, seq: u16) -> [u8; 12] {
    let mut iv = [0u8; 12];
    iv[2..6].copy_from_slice(&ssrc.to_be_bytes());
    iv[6..10].copy_from_slice(&roc.to_be_bytes());
    iv[10..].copy_from_slice(&seq.to_be_bytes());
    iv
}

/// RFC 7714 §9.1: `00 00 || SSRC || 00 00 || 0 || SRTCP index`.
fn rtcp_gcm_iv(ssrc: u32, index: u32) -> [u8; 12] {
    let mut iv = [0u8; 12];
    iv[2..6].copy_from_slice(&ssrc.to_be_bytes());
    iv[8..].copy_from_slice(&(index & 0x7fff_ffff).to_be_bytes());
    iv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimation_matches_rfc3711_appendix_a() {
        assert_eq!(estimate_roc(0, 65535, 0), Some(1));
        assert_eq!(estimate_roc(u32::MAX, 65535, 0), Some(1 << 32));
        assert_eq!(packet_index(1 << 32, 0), Err(SrtpError::KeyExhausted));
        assert_eq!(estimate_roc(1, 2, 65535), Some(0));
        assert_eq!(estimate_roc(0, 2, 65535), None);
        assert_eq!(estimate_roc(5, 100, 200), Some(5));
        assert_eq!(estimate_roc(5, 40000, 100), Some(6));
        assert_eq!(estimate_roc(5, 40000, 30000), Some(5));
    }
}
