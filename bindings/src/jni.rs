//! The per-packet JNI fast path for the JVM and Android
//! (`org.mikeysakke.SrtpFastPath`).
//!
//! The uniffi/JNA route copies every packet twice through a `RustBuffer`
//! and costs tens of microseconds per call; media needs one call per packet
//! at 50 packets per second per stream and more. These entry points run
//! [`SrtpSession::process_in_place`] directly on the Java memory: a direct
//! `java.nio.ByteBuffer` (its native address) or a `byte[]` pinned with
//! `GetPrimitiveArrayCritical`. No copy, no allocation on the success path.
//!
//! # The Java side
//!
//! ```kotlin
//! class SrtpFastPath {
//!     private external fun nativeProcessBuffer(handle: Long, op: Int, buf: ByteBuffer, offset: Int, length: Int): Int
//!     private external fun nativeProcessArray(handle: Long, op: Int, buf: ByteArray, offset: Int, length: Int): Int
//!     private external fun nativeRelease(handle: Long)
//!     private external fun nativeTakeErrorReason(): String?
//! }
//! ```
//!
//! `op` is [`Operation`] as an int ([`op_from_int`]: 0 protect RTP,
//! 1 unprotect RTP, 2 protect RTCP, 3 unprotect RTCP). The packet is
//! `buf[offset, offset + length)`; the room protection may use runs to the
//! end of the buffer (the direct buffer's capacity as the JVM reports it, or
//! the array length). The result is the new packet length (`>= 0`), or one of
//! the negative codes of [`error_code`], one per [`MikeySakkeError`] variant;
//! the Kotlin side then calls `nativeTakeErrorReason()` (the reason of the
//! last failure on this thread) and throws the matching
//! `MikeySakkeException` subclass. On failure the packet region's contents
//! are unspecified.
//!
//! # Safety argument
//!
//! * **Handle.** It is [`SrtpSession::fast_path_handle`]: a pointer from
//!   `Arc::into_raw` that owns one strong reference, so the session lives as
//!   long as the handle does whatever happens to the uniffi object (a
//!   `wipe()` makes calls fail with `InvalidInput`, never dangle).
//!   `nativeRelease` gives the reference back with `Arc::from_raw` exactly
//!   once. The Kotlin class is what makes that true: it keeps the handle in a
//!   private field, takes a read lock around every call and the write lock
//!   in `close()`, which sets a closed flag, zeroes the field and releases
//!   the handle. A call therefore never sees a released handle and release
//!   never runs during a call; use after close is an `InvalidInput`
//!   exception thrown in Kotlin. Here a zero or misaligned handle is
//!   rejected ([`session_ptr`]); a dangling one cannot be detected, which is
//!   why the functions are private to that class.
//! * **Memory.** Bounds come from the JVM, not from the caller: the direct
//!   buffer's address and capacity (`GetDirectBufferAddress` /
//!   `GetDirectBufferCapacity`, null for a non-direct buffer → error) and the
//!   array length. [`region`] checks `0 <= offset <= capacity` and
//!   `0 <= length <= capacity - offset` before any slice is formed, and the
//!   slice given to the SRTP code is exactly `[offset, capacity)`; that code
//!   checks that the protected packet fits. The Kotlin side rejects
//!   read-only buffers (the JVM would hand out their address too).
//! * **Critical arrays.** Between `GetPrimitiveArrayCritical` and its
//!   release the code calls no JNI function and does not block on anything
//!   Java holds: it only locks the session's own mutexes and runs the
//!   cipher. The guard releases the array on every path (including unwind)
//!   with mode 0 (copy back if the VM made a copy; `JNI_ABORT` after a
//!   failure).
//! * **Aliasing.** Rust sees the packet region as `&mut [u8]` for the call.
//!   Like any native I/O on a buffer, the app must not touch that region
//!   from another thread during the call (the SDK's Kotlin API says so).
//! * **Panics and errors.** Every entry point runs its body under
//!   `catch_unwind`; a panic becomes the `Internal` code. No `unwrap` on
//!   anything the caller controls; JNI failures become `InvalidInput` or
//!   `Internal` codes and never leave a pending Java exception behind.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ::jni::objects::{JByteArray, JByteBuffer, JObject, ReleaseMode};
use ::jni::sys::{jint, jlong, jstring};
use ::jni::JNIEnv;

use crate::media::Operation;
use crate::{MikeySakkeError, SrtpSession};

/// The negative result codes, one per [`MikeySakkeError`] variant. Stable:
/// `SrtpFastPath.kt` maps them back to `MikeySakkeException` subclasses.
pub mod code {
    /// `InvalidInput` (also: bad bounds, closed or null handle).
    pub const INVALID_INPUT: i32 = -1;
    /// `MalformedMessage`.
    pub const MALFORMED_MESSAGE: i32 = -2;
    /// `VerificationFailed`.
    pub const VERIFICATION_FAILED: i32 = -3;
    /// `KeyNotValid`.
    pub const KEY_NOT_VALID: i32 = -4;
    /// `UnknownKms`.
    pub const UNKNOWN_KMS: i32 = -5;
    /// `StaleOrReplayed`.
    pub const STALE_OR_REPLAYED: i32 = -6;
    /// `Kms`.
    pub const KMS: i32 = -7;
    /// `Internal` (also: a panic, a JNI failure).
    pub const INTERNAL: i32 = -8;
}

/// The stable negative code of an error.
pub fn error_code(e: &MikeySakkeError) -> i32 {
    match e {
        MikeySakkeError::InvalidInput { .. } => code::INVALID_INPUT,
        MikeySakkeError::MalformedMessage { .. } => code::MALFORMED_MESSAGE,
        MikeySakkeError::VerificationFailed => code::VERIFICATION_FAILED,
        MikeySakkeError::KeyNotValid { .. } => code::KEY_NOT_VALID,
        MikeySakkeError::UnknownKms => code::UNKNOWN_KMS,
        MikeySakkeError::StaleOrReplayed => code::STALE_OR_REPLAYED,
        MikeySakkeError::Kms { .. } => code::KMS,
        MikeySakkeError::Internal { .. } => code::INTERNAL,
    }
}

/// The operation an int names (the order of [`Operation`]).
pub fn op_from_int(op: jint) -> Result<Operation, MikeySakkeError> {
    Ok(match op {
        0 => Operation::ProtectRtp,
        1 => Operation::UnprotectRtp,
        2 => Operation::ProtectRtcp,
        3 => Operation::UnprotectRtcp,
        _ => return Err(MikeySakkeError::invalid(format!("unknown operation {op}"))),
    })
}

/// Checks a packet region `[offset, offset + length)` in a buffer of
/// `capacity` octets; returns `(offset, length)` as `usize` with
/// `offset <= capacity` and `length <= capacity - offset`.
pub fn region(
    offset: jint,
    length: jint,
    capacity: usize,
) -> Result<(usize, usize), MikeySakkeError> {
    let offset =
        usize::try_from(offset).map_err(|_| MikeySakkeError::invalid("negative offset"))?;
    let length =
        usize::try_from(length).map_err(|_| MikeySakkeError::invalid("negative length"))?;
    if offset > capacity {
        return Err(MikeySakkeError::invalid("offset beyond the buffer"));
    }
    if length > capacity - offset {
        return Err(MikeySakkeError::invalid("packet beyond the buffer"));
    }
    Ok((offset, length))
}

/// The session a handle points to, after the checks that can be made
/// without dereferencing it (non-zero, fits a pointer, aligned).
pub fn session_ptr(handle: jlong) -> Result<*const SrtpSession, MikeySakkeError> {
    let addr = usize::try_from(handle as u64)
        .map_err(|_| MikeySakkeError::invalid("invalid fast path handle"))?;
    if addr == 0 {
        return Err(MikeySakkeError::closed());
    }
    if addr % std::mem::align_of::<SrtpSession>() != 0 {
        return Err(MikeySakkeError::invalid("invalid fast path handle"));
    }
    Ok(addr as *const SrtpSession)
}

/// Runs `op` on `buf[offset..]` (the slice the SRTP code may write) and
/// returns the new length as a non-negative `jint`.
fn process(
    session: &SrtpSession,
    op: Operation,
    buf: &mut [u8],
    offset: usize,
    length: usize,
) -> Result<jint, MikeySakkeError> {
    let room = buf
        .get_mut(offset..)
        .ok_or_else(|| MikeySakkeError::invalid("offset beyond the buffer"))?;
    let n = session.process_in_place(op, room, length)?;
    jint::try_from(n).map_err(|_| MikeySakkeError::internal("packet length overflow"))
}

thread_local! {
    static LAST_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Maps a result to the JNI return value, keeping the reason of a failure
/// for `nativeTakeErrorReason`.
fn finish(result: std::thread::Result<Result<jint, MikeySakkeError>>) -> jint {
    let e = match result {
        Ok(Ok(n)) => return n,
        Ok(Err(e)) => e,
        Err(_) => MikeySakkeError::internal("panic in the SRTP fast path"),
    };
    let c = error_code(&e);
    let reason = match e {
        MikeySakkeError::InvalidInput { reason }
        | MikeySakkeError::MalformedMessage { reason }
        | MikeySakkeError::KeyNotValid { reason }
        | MikeySakkeError::Kms { reason }
        | MikeySakkeError::Internal { reason } => Some(reason),
        _ => None,
    };
    let _ = LAST_ERROR.try_with(|l| *l.borrow_mut() = reason);
    c
}

/// # Safety
/// `handle` is a live [`SrtpSession::fast_path_handle`] (see the module doc).
unsafe fn session<'a>(handle: jlong) -> Result<&'a SrtpSession, MikeySakkeError> {
    // SAFETY: non-null and aligned (checked); live by the Kotlin-side lock.
    Ok(unsafe { &*session_ptr(handle)? })
}

fn jni_err(e: ::jni::errors::Error) -> MikeySakkeError {
    MikeySakkeError::invalid(format!("JNI: {e}"))
}

/// `SrtpFastPath.nativeProcessBuffer(handle, op, buf, offset, length): Int`
/// on a direct `ByteBuffer`.
#[no_mangle]
pub extern "system" fn Java_org_mikeysakke_SrtpFastPath_nativeProcessBuffer<'local>(
    env: JNIEnv<'local>,
    _this: JObject<'local>,
    handle: jlong,
    op: jint,
    buf: JByteBuffer<'local>,
    offset: jint,
    length: jint,
) -> jint {
    finish(catch_unwind(AssertUnwindSafe(|| {
        let op = op_from_int(op)?;
        // SAFETY: see the module doc (handle).
        let session = unsafe { session(handle)? };
        if buf.as_raw().is_null() {
            return Err(MikeySakkeError::invalid("null buffer"));
        }
        let addr = env
            .get_direct_buffer_address(&buf)
            .map_err(|_| MikeySakkeError::invalid("not a direct ByteBuffer"))?;
        let capacity = env.get_direct_buffer_capacity(&buf).map_err(jni_err)?;
        let (offset, length) = region(offset, length, capacity)?;
        // SAFETY: the JVM guarantees `capacity` octets at `addr` for as long
        // as `buf` is referenced (it is, by this frame); the app does not
        // touch the region during the call (module doc, aliasing).
        let all = unsafe { std::slice::from_raw_parts_mut(addr, capacity) };
        process(session, op, all, offset, length)
    })))
}

/// `SrtpFastPath.nativeProcessArray(handle, op, buf, offset, length): Int`
/// on a `byte[]`, pinned (no copy) for the call.
#[no_mangle]
pub extern "system" fn Java_org_mikeysakke_SrtpFastPath_nativeProcessArray<'local>(
    mut env: JNIEnv<'local>,
    _this: JObject<'local>,
    handle: jlong,
    op: jint,
    buf: JByteArray<'local>,
    offset: jint,
    length: jint,
) -> jint {
    finish(catch_unwind(AssertUnwindSafe(|| {
        let op = op_from_int(op)?;
        // SAFETY: see the module doc (handle).
        let session = unsafe { session(handle)? };
        if buf.as_raw().is_null() {
            return Err(MikeySakkeError::invalid("null array"));
        }
        // The length is read (a JNI call) before the critical section.
        let capacity = usize::try_from(env.get_array_length(&buf).map_err(jni_err)?)
            .map_err(|_| MikeySakkeError::internal("negative array length"))?;
        let (offset, length) = region(offset, length, capacity)?;
        // SAFETY: no JNI call and no blocking on Java until `elems` drops.
        let mut elems = unsafe { env.get_array_elements_critical(&buf, ReleaseMode::CopyBack) }
            .map_err(|e| MikeySakkeError::internal(format!("JNI: {e}")))?;
        let n = elems.len().min(capacity);
        // SAFETY: `elems` points to the array's `elems.len()` jbytes (i8 and
        // u8 have the same layout), valid until `elems` drops after the call.
        let all = unsafe { std::slice::from_raw_parts_mut(elems.as_ptr().cast::<u8>(), n) };
        let r = process(session, op, all, offset, length);
        if r.is_err() {
            // Nothing worth copying back if the VM handed out a copy.
            elems.discard();
        }
        r
    })))
}

/// `SrtpFastPath.nativeRelease(handle)`: gives back the reference
/// [`SrtpSession::fast_path_handle`] took. Called once, by `close()`.
#[no_mangle]
pub extern "system" fn Java_org_mikeysakke_SrtpFastPath_nativeRelease<'local>(
    _env: JNIEnv<'local>,
    _this: JObject<'local>,
    handle: jlong,
) {
    let _ = catch_unwind(|| {
        if let Ok(ptr) = session_ptr(handle) {
            // SAFETY: the pointer came from `Arc::into_raw` and the Kotlin
            // side releases it exactly once, after every call finished.
            drop(unsafe { std::sync::Arc::from_raw(ptr) });
        }
    });
}

/// `SrtpFastPath.nativeTakeErrorReason(): String?`: the reason of the last
/// failed call on this thread (null if it had none), and forgets it.
#[no_mangle]
pub extern "system" fn Java_org_mikeysakke_SrtpFastPath_nativeTakeErrorReason<'local>(
    env: JNIEnv<'local>,
    _this: JObject<'local>,
) -> jstring {
    let reason = catch_unwind(|| {
        LAST_ERROR
            .try_with(|l| l.borrow_mut().take())
            .ok()
            .flatten()
    })
    .ok()
    .flatten();
    match reason {
        Some(r) => match env.new_string(r) {
            Ok(s) => s.into_raw(),
            Err(_) => {
                // An OutOfMemoryError may be pending: leave it to Java.
                std::ptr::null_mut()
            }
        },
        None => std::ptr::null_mut(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_distinct() {
        let all = [
            (MikeySakkeError::invalid("x"), -1),
            (MikeySakkeError::MalformedMessage { reason: "x".into() }, -2),
            (MikeySakkeError::VerificationFailed, -3),
            (MikeySakkeError::KeyNotValid { reason: "x".into() }, -4),
            (MikeySakkeError::UnknownKms, -5),
            (MikeySakkeError::StaleOrReplayed, -6),
            (MikeySakkeError::Kms { reason: "x".into() }, -7),
            (MikeySakkeError::internal("x"), -8),
        ];
        for (e, c) in &all {
            assert_eq!(error_code(e), *c, "{e:?}");
        }
    }

    #[test]
    fn ops_map_in_order() {
        assert_eq!(op_from_int(0).unwrap(), Operation::ProtectRtp);
        assert_eq!(op_from_int(1).unwrap(), Operation::UnprotectRtp);
        assert_eq!(op_from_int(2).unwrap(), Operation::ProtectRtcp);
        assert_eq!(op_from_int(3).unwrap(), Operation::UnprotectRtcp);
        assert!(op_from_int(4).is_err());
        assert!(op_from_int(-1).is_err());
    }

    #[test]
    fn region_bounds() {
        assert_eq!(region(0, 0, 0).unwrap(), (0, 0));
        assert_eq!(region(0, 172, 200).unwrap(), (0, 172));
        assert_eq!(region(28, 172, 200).unwrap(), (28, 172));
        assert_eq!(region(200, 0, 200).unwrap(), (200, 0));
        for (o, l, c) in [
            (-1, 10, 100),
            (0, -1, 100),
            (101, 0, 100),
            (0, 101, 100),
            (50, 51, 100),
            (i32::MAX, i32::MAX, 100),
            (1, i32::MAX, usize::MAX),
        ] {
            if o == 1 && c == usize::MAX {
                // A huge capacity: fine as long as it fits.
                assert!(region(o, l, c).is_ok());
                continue;
            }
            assert!(
                matches!(region(o, l, c), Err(MikeySakkeError::InvalidInput { .. })),
                "{o} {l} {c}"
            );
        }
    }

    #[test]
    fn handle_checks() {
        assert!(matches!(
            session_ptr(0),
            Err(MikeySakkeError::InvalidInput { .. })
        ));
        if std::mem::align_of::<SrtpSession>() > 1 {
            assert!(session_ptr(1).is_err());
        }
        assert!(session_ptr(0x1000).is_ok());
    }

    #[test]
    fn failures_keep_their_reason_per_thread() {
        assert_eq!(finish(Ok(Ok(12))), 12);
        assert_eq!(finish(Ok(Err(MikeySakkeError::invalid("bounds")))), -1);
        assert_eq!(
            LAST_ERROR.with(|l| l.borrow_mut().take()).as_deref(),
            Some("bounds")
        );
        assert_eq!(finish(Ok(Err(MikeySakkeError::VerificationFailed))), -3);
        assert_eq!(LAST_ERROR.with(|l| l.borrow_mut().take()), None);
        assert_eq!(finish(Err(Box::new("boom"))), -8);
        assert!(LAST_ERROR.with(|l| l.borrow_mut().take()).is_some());
    }
}
