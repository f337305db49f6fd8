//! Bounds-checked octet reader and length-checked writer used by the MIKEY codec.

use super::MikeyError;

/// A cursor over received octets. Every read checks the remaining length first and
/// reports [`MikeyError::Truncated`] naming the field being read (checklist E2).
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Octets not yet read.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], MikeyError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.buf.len())
            .ok_or(MikeyError::Truncated(what))?;
        let out = self
            .buf
            .get(self.pos..end)
            .ok_or(MikeyError::Truncated(what))?;
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], MikeyError> {
        let s = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, MikeyError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, MikeyError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, MikeyError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, MikeyError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    /// Fails with [`MikeyError::TrailingOctets`] unless every octet was read (E3).
    pub(crate) fn finish(&self) -> Result<(), MikeyError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(MikeyError::TrailingOctets(n)),
        }
    }
}

/// `len` as a one-octet length field.
pub(crate) fn len8(len: usize, what: &'static str) -> Result<u8, MikeyError> {
    u8::try_from(len).map_err(|_| MikeyError::FieldTooLong(what))
}

/// `len` as a two-octet length field.
pub(crate) fn len16(len: usize, what: &'static str) -> Result<[u8; 2], MikeyError> {
    u16::try_from(len)
        .map(u16::to_be_bytes)
        .map_err(|_| MikeyError::FieldTooLong(what))
}
