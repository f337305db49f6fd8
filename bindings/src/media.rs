//! The keys of a call and their SRTP/SRTCP contexts (RFC 3711, RFC 7714,
//! TS 33.180 §7.4), held in Rust.
//!
//! A [`CallKey`] is what `initiate` or `receive` produced (the TGK and what
//! the message fixed: key id, CSB ID, RAND, security policy). Its
//! [`CallKey::srtp_session`] gives an [`SrtpSession`] for one media stream:
//!
//! * private call (PCK, TS 33.180 Table E.1.3-1): the initiator sends with
//!   cs_id 0 and receives cs_id 1; the responder the other way round;
//! * group call (GMK): a member sends with its own session (MKI = GMK-ID ‖
//!   its GUK-ID) and unprotects another member's packets with the keys
//!   derived from the GUK-ID in their MKI (one context per sender).
//!
//! Keys leave Rust only through [`SrtpSession::export_key_material`], for an
//! app that runs its own SRTP stack.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use mikey_sakke::kdf::KeyType;
use mikey_sakke::mikey::{cs_id, CryptoSession, InitiatedMessage, ReceivedKey};
use mikey_sakke::srtp::SrtpContext;

use crate::MikeySakkeError;

/// The kind of key an I_MESSAGE carries (TS 33.180 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum KeyKind {
    /// Private call key (PCK).
    PrivateCall,
    /// Group master key (GMK).
    Group,
    /// Client server key (CSK), for signalling.
    ClientServer,
    /// Multicast signalling key (MuSiK).
    MulticastSignalling,
    /// Any other purpose tag.
    Other,
}

impl From<KeyType> for KeyKind {
    fn from(t: KeyType) -> Self {
        match t {
            KeyType::Pck => KeyKind::PrivateCall,
            KeyType::Gmk => KeyKind::Group,
            KeyType::Csk => KeyKind::ClientServer,
            KeyType::Musik => KeyKind::MulticastSignalling,
            #[allow(unreachable_patterns)]
            _ => KeyKind::Other,
        }
    }
}

/// SRTP master key material of one direction, for an app's own SRTP stack.
#[derive(uniffi::Record)]
pub struct SrtpKeyMaterial {
    /// The SRTP protection profile (RFC 4568 / RFC 7714 name), e.g.
    /// `AEAD_AES_128_GCM`.
    pub profile: String,
    /// The SRTP master key (secret).
    pub master_key: Vec<u8>,
    /// The SRTP master salt (secret).
    pub master_salt: Vec<u8>,
    /// The MKI the packets carry (TS 33.180 §7.4).
    pub mki: Vec<u8>,
}

impl std::fmt::Debug for SrtpKeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrtpKeyMaterial")
            .field("profile", &self.profile)
            .field("mki", &self.mki)
            .finish_non_exhaustive()
    }
}

/// Which end of the I_MESSAGE this device is.
enum Keys {
    Initiated(InitiatedMessage),
    Received(ReceivedKey),
}

impl Keys {
    fn key_type(&self) -> KeyType {
        match self {
            Keys::Initiated(m) => m.key_type,
            Keys::Received(r) => r.key_type,
        }
    }

    fn session(&self, cs: u8) -> Result<CryptoSession, MikeySakkeError> {
        Ok(match self {
            Keys::Initiated(m) => m.crypto_session(cs)?,
            Keys::Received(r) => r.crypto_session(cs)?,
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the contexts half-updated
    // in a way that matters more than losing the call; keep going.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The keys of one call as `initiate` or `receive` produced them.
#[derive(uniffi::Object)]
pub struct CallKey {
    keys: Mutex<Option<Arc<Keys>>>,
    kind: KeyKind,
    key_id: u32,
}

impl std::fmt::Debug for CallKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallKey")
            .field("kind", &self.kind)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl CallKey {
    pub(crate) fn initiated(m: InitiatedMessage) -> Arc<CallKey> {
        Arc::new(CallKey {
            kind: m.key_type.into(),
            key_id: m.key_id.value(),
            keys: Mutex::new(Some(Arc::new(Keys::Initiated(m)))),
        })
    }

    pub(crate) fn received(r: ReceivedKey) -> Arc<CallKey> {
        Arc::new(CallKey {
            kind: r.key_type.into(),
            key_id: r.key_id.value(),
            keys: Mutex::new(Some(Arc::new(Keys::Received(r)))),
        })
    }

    fn keys(&self) -> Result<Arc<Keys>, MikeySakkeError> {
        lock(&self.keys).clone().ok_or_else(MikeySakkeError::closed)
    }
}

#[uniffi::export]
impl CallKey {
    /// The kind of key.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The key id: PCK-ID, GMK-ID, CSK-ID (TS 33.180 §7.4, with its purpose
    /// tag in the top 4 bits).
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The SRTP session of the default media stream of this key: MCPTT
    /// private call for a PCK (cs_id 0 and 1), MCPTT group call for a GMK
    /// (cs_id 4). For a CSK or MuSiK use [`CallKey::srtp_session_for`].
    pub fn srtp_session(&self) -> Result<Arc<SrtpSession>, MikeySakkeError> {
        match self.kind {
            KeyKind::PrivateCall => self.private_session(
                cs_id::MCPTT_PRIVATE_INITIATOR,
                cs_id::MCPTT_PRIVATE_RESPONDER,
            ),
            KeyKind::Group => self.srtp_session_for(cs_id::MCPTT_GROUP),
            _ => Err(MikeySakkeError::invalid(
                "no default media stream for this key kind; give a cs_id",
            )),
        }
    }

    /// The SRTP session of crypto session `cs_id` (TS 33.180 Table
    /// E.1.3-1). For a private-call cs_id (0 to 3) the session sends on this
    /// device's direction and receives on the peer's.
    pub fn srtp_session_for(&self, cs_id: u8) -> Result<Arc<SrtpSession>, MikeySakkeError> {
        match cs_id {
            0 | 1 => self.private_session(0, 1),
            2 | 3 => self.private_session(2, 3),
            cs if cs <= 9 => {
                let keys = self.keys()?;
                let tx = keys.session(cs)?;
                let inbound = match (&*keys, keys.key_type()) {
                    (Keys::Received(_), KeyType::Gmk) => Inbound::Group {
                        keys: keys.clone(),
                        cs_id: cs,
                        senders: HashMap::new(),
                    },
                    _ => Inbound::Fixed(Box::new(keys.session(cs)?.srtp_context()?)),
                };
                SrtpSession::new(tx, inbound)
            }
            _ => Err(MikeySakkeError::invalid(format!(
                "cs_id {cs_id} is not in TS 33.180 Table E.1.3-1"
            ))),
        }
    }

    /// For a received key: checks that `uri` (from the SIP signalling) is the
    /// initiator's. Identities are hidden by default (TS 33.180 E.7: the
    /// message carries the initiator's UID, not its URI), so this binds the
    /// verified signature to the caller the app shows. A mismatch is
    /// `VerificationFailed`.
    pub fn check_initiator(&self, uri: String) -> Result<(), MikeySakkeError> {
        match &*self.keys()? {
            Keys::Received(r) => Ok(r.check_initiator_uri(&uri)?),
            Keys::Initiated(_) => Err(MikeySakkeError::invalid(
                "only a received key has an initiator to check",
            )),
        }
    }

    /// Erases the key now (also done when the object is freed).
    pub fn wipe(&self) {
        lock(&self.keys).take();
    }
}

impl CallKey {
    fn private_session(
        &self,
        initiator_cs: u8,
        responder_cs: u8,
    ) -> Result<Arc<SrtpSession>, MikeySakkeError> {
        let keys = self.keys()?;
        if keys.key_type() != KeyType::Pck {
            return Err(MikeySakkeError::invalid(
                "private-call cs_ids need a private call key (PCK)",
            ));
        }
        let (send, recv) = match &*keys {
            Keys::Initiated(_) => (initiator_cs, responder_cs),
            Keys::Received(_) => (responder_cs, initiator_cs),
        };
        let inbound = Inbound::Fixed(Box::new(keys.session(recv)?.srtp_context()?));
        SrtpSession::new(keys.session(send)?, inbound)
    }
}

/// Most senders a group session keeps contexts for.
const MAX_GROUP_SENDERS: usize = 1024;

enum Inbound {
    Fixed(Box<SrtpContext>),
    Group {
        keys: Arc<Keys>,
        cs_id: u8,
        senders: HashMap<Vec<u8>, SrtpContext>,
    },
}

struct Outbound {
    session: CryptoSession,
    context: SrtpContext,
}

/// SRTP and SRTCP protection for one media stream of a call: packets this
/// device sends are protected with its own crypto session, received packets
/// are unprotected with the sender's (replay-protected, RFC 3711 §3.3.2).
/// Thread-safe: sending and receiving may run on different threads.
#[derive(uniffi::Object)]
pub struct SrtpSession {
    tx: Mutex<Option<Outbound>>,
    rx: Mutex<Option<Inbound>>,
}

impl std::fmt::Debug for SrtpSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrtpSession").finish_non_exhaustive()
    }
}

/// The direction of an in-place operation of the fast path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Protect an RTP packet.
    ProtectRtp,
    /// Unprotect an SRTP packet.
    UnprotectRtp,
    /// Protect an RTCP packet.
    ProtectRtcp,
    /// Unprotect an SRTCP packet.
    UnprotectRtcp,
}

impl SrtpSession {
    fn new(session: CryptoSession, inbound: Inbound) -> Result<Arc<SrtpSession>, MikeySakkeError> {
        let context = session.srtp_context()?;
        Ok(Arc::new(SrtpSession {
            tx: Mutex::new(Some(Outbound { session, context })),
            rx: Mutex::new(Some(inbound)),
        }))
    }

    /// Runs `op` in place on `buf[..len]` and returns the new length (the
    /// JNI fast path and the `Vec` methods both go through here).
    pub fn process_in_place(
        &self,
        op: Operation,
        buf: &mut [u8],
        len: usize,
    ) -> Result<usize, MikeySakkeError> {
        if len > buf.len() {
            return Err(MikeySakkeError::invalid("length beyond the buffer"));
        }
        match op {
            Operation::ProtectRtp | Operation::ProtectRtcp => {
                let mut tx = lock(&self.tx);
                let out = tx.as_mut().ok_or_else(MikeySakkeError::closed)?;
                Ok(if op == Operation::ProtectRtp {
                    out.context.protect_rtp_in_place(buf, len)?
                } else {
                    out.context.protect_rtcp_in_place(buf, len)?
                })
            }
            Operation::UnprotectRtp | Operation::UnprotectRtcp => {
                let rtp = op == Operation::UnprotectRtp;
                let packet = &mut buf[..len];
                let mut rx = lock(&self.rx);
                let ctx = match rx.as_mut().ok_or_else(MikeySakkeError::closed)? {
                    Inbound::Fixed(c) => c,
                    Inbound::Group {
                        keys,
                        cs_id,
                        senders,
                    } => {
                        let mki = {
                            let tx = lock(&self.tx);
                            let own = &tx.as_ref().ok_or_else(MikeySakkeError::closed)?.context;
                            let mki = if rtp {
                                own.rtp_packet_mki(packet)
                            } else {
                                own.rtcp_packet_mki(packet)
                            };
                            mki.ok_or_else(|| MikeySakkeError::MalformedMessage {
                                reason: "the packet carries no MKI".into(),
                            })?
                            .to_vec()
                        };
                        if !senders.contains_key(&mki) {
                            let Keys::Received(r) = &**keys else {
                                return Err(MikeySakkeError::internal("group session state"));
                            };
                            if senders.len() >= MAX_GROUP_SENDERS {
                                senders.clear();
                            }
                            let c = r.sender_srtp_context(*cs_id, &mki)?;
                            senders.insert(mki.clone(), c);
                        }
                        senders
                            .get_mut(&mki)
                            .ok_or_else(|| MikeySakkeError::internal("group session state"))?
                    }
                };
                Ok(if rtp {
                    ctx.unprotect_rtp_in_place(packet)?
                } else {
                    ctx.unprotect_rtcp_in_place(packet)?
                })
            }
        }
    }

    fn process(&self, op: Operation, mut packet: Vec<u8>) -> Result<Vec<u8>, MikeySakkeError> {
        let len = packet.len();
        if matches!(op, Operation::ProtectRtp | Operation::ProtectRtcp) {
            packet.resize(len + self.overhead()?, 0);
        }
        let n = self.process_in_place(op, &mut packet, len)?;
        packet.truncate(n);
        Ok(packet)
    }

    fn overhead(&self) -> Result<usize, MikeySakkeError> {
        let tx = lock(&self.tx);
        let c = &tx.as_ref().ok_or_else(MikeySakkeError::closed)?.context;
        Ok(c.rtp_overhead().max(c.rtcp_overhead()))
    }
}

#[uniffi::export]
impl SrtpSession {
    /// Protects an RTP packet this device sends (RFC 3711 §3.3, RFC 7714).
    pub fn protect_rtp(&self, packet: Vec<u8>) -> Result<Vec<u8>, MikeySakkeError> {
        self.process(Operation::ProtectRtp, packet)
    }

    /// Verifies and decrypts a received SRTP packet; a replay is
    /// [`MikeySakkeError::StaleOrReplayed`], a bad tag
    /// [`MikeySakkeError::VerificationFailed`].
    pub fn unprotect_rtp(&self, packet: Vec<u8>) -> Result<Vec<u8>, MikeySakkeError> {
        self.process(Operation::UnprotectRtp, packet)
    }

    /// Protects an RTCP packet (RFC 3711 §3.4).
    pub fn protect_rtcp(&self, packet: Vec<u8>) -> Result<Vec<u8>, MikeySakkeError> {
        self.process(Operation::ProtectRtcp, packet)
    }

    /// Verifies and decrypts a received SRTCP packet.
    pub fn unprotect_rtcp(&self, packet: Vec<u8>) -> Result<Vec<u8>, MikeySakkeError> {
        self.process(Operation::UnprotectRtcp, packet)
    }

    /// Octets protection adds at most (tag, MKI, SRTCP index): the room to
    /// leave after a packet for the in-place fast path.
    pub fn max_overhead(&self) -> Result<u32, MikeySakkeError> {
        Ok(self.overhead()? as u32)
    }

    /// The MKI of the packets this device sends.
    pub fn mki(&self) -> Result<Vec<u8>, MikeySakkeError> {
        let tx = lock(&self.tx);
        Ok(tx
            .as_ref()
            .ok_or_else(MikeySakkeError::closed)?
            .session
            .mki
            .clone())
    }

    /// The master key and salt of the sending direction, for an app that
    /// runs its own SRTP stack. The returned values are secret: the caller
    /// owns wiping them.
    pub fn export_key_material(&self) -> Result<SrtpKeyMaterial, MikeySakkeError> {
        let tx = lock(&self.tx);
        let s = &tx.as_ref().ok_or_else(MikeySakkeError::closed)?.session;
        Ok(SrtpKeyMaterial {
            profile: s.srtp_policy()?.profile().name().to_owned(),
            master_key: s.tek.as_bytes().to_vec(),
            master_salt: s.salt.as_bytes().to_vec(),
            mki: s.mki.clone(),
        })
    }

    /// Erases both directions' keys now (also done when the object is
    /// freed); later calls fail with `InvalidInput`.
    pub fn wipe(&self) {
        lock(&self.tx).take();
        lock(&self.rx).take();
    }

    /// A handle for the JNI fast path (`org.mikeysakke.SrtpFastPath`): it
    /// holds a reference to this session until the fast path releases it.
    /// Not for other use.
    pub fn fast_path_handle(self: Arc<Self>) -> u64 {
        Arc::into_raw(self) as usize as u64
    }
}
