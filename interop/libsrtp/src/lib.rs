//! A minimal safe wrapper over libsrtp2 (through the C shim in `csrc/`),
//! used to test `mikey_sakke::srtp` against libsrtp2 and to benchmark the
//! two side by side. Not published; the core crate does not depend on it.
//!
//! Profiles are numbered as in `mikey_sakke::srtp::Profile::ALL`:
//! 0 `AES_CM_128_HMAC_SHA1_80`, 1 `AES_CM_128_HMAC_SHA1_32`,
//! 2 `AES_256_CM_HMAC_SHA1_80`, 3 `AES_256_CM_HMAC_SHA1_32`,
//! 4 `AEAD_AES_128_GCM`, 5 `AEAD_AES_256_GCM`.

use std::ffi::c_void;
use std::fmt;
use std::sync::OnceLock;

mod ffi {
    use std::ffi::{c_int, c_ulong, c_void};

    extern "C" {
        pub fn shim_init() -> c_int;
        #[allow(clippy::too_many_arguments)]
        pub fn shim_create(
            out: *mut *mut c_void,
            profile: c_int,
            outbound: c_int,
            key_salt: *const u8,
            key_salt_len: usize,
            mki: *const u8,
            mki_len: usize,
            srtcp_encrypt: c_int,
            window: c_ulong,
        ) -> c_int;
        pub fn shim_destroy(s: *mut c_void);
        pub fn shim_protect_rtp(
            s: *mut c_void,
            buf: *mut u8,
            len: *mut c_int,
            use_mki: c_int,
        ) -> c_int;
        pub fn shim_unprotect_rtp(
            s: *mut c_void,
            buf: *mut u8,
            len: *mut c_int,
            use_mki: c_int,
        ) -> c_int;
        pub fn shim_protect_rtcp(
            s: *mut c_void,
            buf: *mut u8,
            len: *mut c_int,
            use_mki: c_int,
        ) -> c_int;
        pub fn shim_unprotect_rtcp(
            s: *mut c_void,
            buf: *mut u8,
            len: *mut c_int,
            use_mki: c_int,
        ) -> c_int;
        pub fn shim_get_roc(s: *mut c_void, ssrc: u32, roc: *mut u32) -> c_int;
        pub fn shim_max_trailer() -> c_int;
    }
}

/// A libsrtp2 status code (`srtp_err_status_t`), non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status(pub i32);

impl Status {
    /// `srtp_err_status_bad_param`: libsrtp rejects the policy.
    pub const BAD_PARAM: Status = Status(2);
    /// `srtp_err_status_auth_fail`.
    pub const AUTH_FAIL: Status = Status(7);
    /// `srtp_err_status_replay_fail`.
    pub const REPLAY_FAIL: Status = Status(9);
    /// `srtp_err_status_replay_old`.
    pub const REPLAY_OLD: Status = Status(10);
    /// `srtp_err_status_bad_mki`.
    pub const BAD_MKI: Status = Status(25);
    /// `srtp_err_status_cipher_fail`: e.g. an unknown cipher type.
    pub const CIPHER_FAIL: Status = Status(8);
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.0 {
            1 => "srtp_err_status_fail",
            2 => "srtp_err_status_bad_param",
            3 => "srtp_err_status_alloc_fail",
            4 => "srtp_err_status_dealloc_fail",
            5 => "srtp_err_status_init_fail",
            6 => "srtp_err_status_terminus",
            7 => "srtp_err_status_auth_fail",
            8 => "srtp_err_status_cipher_fail",
            9 => "srtp_err_status_replay_fail",
            10 => "srtp_err_status_replay_old",
            11 => "srtp_err_status_algo_fail",
            12 => "srtp_err_status_no_such_op",
            13 => "srtp_err_status_no_ctx",
            25 => "srtp_err_status_bad_mki",
            _ => "srtp_err_status (other)",
        };
        write!(f, "{name} ({})", self.0)
    }
}

fn check(r: i32) -> Result<(), Status> {
    if r == 0 {
        Ok(())
    } else {
        Err(Status(r))
    }
}

/// `srtp_init`, once per process (it is not thread-safe).
fn init() -> Result<(), Status> {
    static INIT: OnceLock<i32> = OnceLock::new();
    // SAFETY: srtp_init has no preconditions; OnceLock runs it once.
    check(*INIT.get_or_init(|| unsafe { ffi::shim_init() }))
}

/// The most octets libsrtp may append (SRTP_MAX_TRAILER_LEN + 4).
pub fn max_trailer() -> usize {
    // SAFETY: no arguments; returns a constant.
    usize::try_from(unsafe { ffi::shim_max_trailer() }).unwrap_or(256)
}

/// A libsrtp2 session for one direction, any SSRC.
pub struct Session {
    raw: *mut c_void,
    use_mki: bool,
}

/// Parameters of a [`Session`].
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    /// Profile number (see the crate documentation).
    pub profile: usize,
    /// Master key.
    pub key: &'a [u8],
    /// Master salt.
    pub salt: &'a [u8],
    /// MKI, if any.
    pub mki: Option<&'a [u8]>,
    /// SRTCP encryption (E = 1) or authentication only.
    pub srtcp_encrypt: bool,
}

impl Session {
    /// Creates an outbound (`outbound = true`) or inbound session.
    pub fn new(params: &Params<'_>, outbound: bool) -> Result<Self, Status> {
        init()?;
        let mut key_salt = params.key.to_vec();
        key_salt.extend_from_slice(params.salt);
        let (mki_ptr, mki_len) = params
            .mki
            .map_or((std::ptr::null(), 0), |m| (m.as_ptr(), m.len()));
        let mut raw = std::ptr::null_mut();
        // SAFETY: all pointers are valid for the given lengths for the call;
        // libsrtp copies the key and MKI into the session.
        let r = unsafe {
            ffi::shim_create(
                &mut raw,
                i32::try_from(params.profile).unwrap_or(-1),
                i32::from(outbound),
                key_salt.as_ptr(),
                key_salt.len(),
                mki_ptr,
                mki_len,
                i32::from(params.srtcp_encrypt),
                128,
            )
        };
        check(r)?;
        Ok(Session {
            raw,
            use_mki: params.mki.is_some(),
        })
    }

    fn run(
        &mut self,
        f: unsafe extern "C" fn(*mut c_void, *mut u8, *mut i32, i32) -> i32,
        packet: &mut Vec<u8>,
    ) -> Result<(), Status> {
        let len = packet.len();
        packet.resize(len + max_trailer(), 0);
        let mut n = i32::try_from(len).unwrap_or(i32::MAX);
        // SAFETY: `packet` has `len + max_trailer()` writable octets, the
        // room libsrtp requires; `n` is the packet length.
        let r = unsafe {
            f(
                self.raw,
                packet.as_mut_ptr(),
                &mut n,
                i32::from(self.use_mki),
            )
        };
        let out = if r == 0 {
            usize::try_from(n).unwrap_or(len)
        } else {
            len
        };
        packet.truncate(out);
        check(r)
    }

    /// `srtp_protect_mki`.
    pub fn protect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), Status> {
        self.run(ffi::shim_protect_rtp, packet)
    }

    /// `srtp_unprotect_mki`.
    pub fn unprotect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), Status> {
        self.run(ffi::shim_unprotect_rtp, packet)
    }

    /// `srtp_protect_rtcp_mki`.
    pub fn protect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), Status> {
        self.run(ffi::shim_protect_rtcp, packet)
    }

    /// `srtp_unprotect_rtcp_mki`.
    pub fn unprotect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), Status> {
        self.run(ffi::shim_unprotect_rtcp, packet)
    }

    /// In-place protect for benchmarks: `buf[..len]` is the packet and
    /// `buf` has room for the trailer; returns the new length.
    pub fn protect_rtp_in_place(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Status> {
        assert!(buf.len() >= len + max_trailer());
        let mut n = i32::try_from(len).unwrap_or(i32::MAX);
        // SAFETY: checked above that the trailer fits.
        let r = unsafe {
            ffi::shim_protect_rtp(self.raw, buf.as_mut_ptr(), &mut n, i32::from(self.use_mki))
        };
        check(r).map(|()| usize::try_from(n).unwrap_or(0))
    }

    /// In-place unprotect for benchmarks; returns the RTP length.
    pub fn unprotect_rtp_in_place(&mut self, buf: &mut [u8]) -> Result<usize, Status> {
        let mut n = i32::try_from(buf.len()).unwrap_or(i32::MAX);
        // SAFETY: libsrtp only shrinks the packet on unprotect.
        let r = unsafe {
            ffi::shim_unprotect_rtp(self.raw, buf.as_mut_ptr(), &mut n, i32::from(self.use_mki))
        };
        check(r).map(|()| usize::try_from(n).unwrap_or(0))
    }

    /// `srtp_get_stream_roc`.
    pub fn roc(&self, ssrc: u32) -> Result<u32, Status> {
        let mut roc = 0;
        // SAFETY: `roc` is a valid out pointer.
        check(unsafe { ffi::shim_get_roc(self.raw, ssrc, &mut roc) })?;
        Ok(roc)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: `raw` came from srtp_create and is freed once.
        unsafe { ffi::shim_destroy(self.raw) }
    }
}
