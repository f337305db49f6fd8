//! Sliding replay window (RFC 3711 §3.3.2, Appendix A).

use super::SrtpError;

/// A replay window over packet indices: remembers which of the `size`
/// indices ending at the highest accepted one were received.
#[derive(Debug, Clone)]
pub(crate) struct ReplayWindow {
    started: bool,
    top: u64,
    size: u64,
    /// Bit `i mod (64·bits.len())` is set when index `i` was received.
    bits: Vec<u64>,
}

impl ReplayWindow {
    /// A window of `size` packets (allocated once here, never per packet).
    pub(crate) fn new(size: u32) -> Self {
        let words = usize::try_from(size.div_ceil(64)).unwrap_or(1).max(1);
        ReplayWindow {
            started: false,
            top: 0,
            size: u64::from(size),
            bits: vec![0; words],
        }
    }

    fn nbits(&self) -> u64 {
        (self.bits.len() as u64) * 64
    }

    fn slot(&self, index: u64) -> (usize, u64) {
        let bit = index % self.nbits();
        // bit / 64 < bits.len(), which is a usize.
        (usize::try_from(bit / 64).unwrap_or(0), 1u64 << (bit % 64))
    }

    /// The highest accepted index, if any.
    pub(crate) fn top(&self) -> Option<u64> {
        self.started.then_some(self.top)
    }

    /// Checks `index` without changing the window.
    pub(crate) fn check(&self, index: u64) -> Result<(), SrtpError> {
        if !self.started || index > self.top {
            return Ok(());
        }
        if self.top - index >= self.size {
            return Err(SrtpError::ReplayTooOld { index });
        }
        let (w, m) = self.slot(index);
        match self.bits.get(w) {
            Some(word) if word & m != 0 => Err(SrtpError::ReplayDuplicate { index }),
            _ => Ok(()),
        }
    }

    /// Marks `index` as received (after authentication), advancing the window.
    pub(crate) fn accept(&mut self, index: u64) {
        if !self.started {
            self.started = true;
            self.top = index;
            self.bits.iter_mut().for_each(|w| *w = 0);
        } else if index > self.top {
            let d = index - self.top;
            if d >= self.nbits() {
                self.bits.iter_mut().for_each(|w| *w = 0);
            } else {
                for i in self.top + 1..=index {
                    let (w, m) = self.slot(i);
                    if let Some(word) = self.bits.get_mut(w) {
                        *word &= !m;
                    }
                }
            }
            self.top = index;
        }
        let (w, m) = self.slot(index);
        if let Some(word) = self.bits.get_mut(w) {
            *word |= m;
        }
    }

    /// Forgets everything.
    pub(crate) fn reset(&mut self) {
        self.started = false;
        self.top = 0;
        self.bits.iter_mut().for_each(|w| *w = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_semantics() {
        let mut w = ReplayWindow::new(64);
        assert!(w.check(100).is_ok());
        w.accept(100);
        assert_eq!(w.check(100), Err(SrtpError::ReplayDuplicate { index: 100 }));
        assert!(w.check(99).is_ok());
        assert!(w.check(37).is_ok());
        assert_eq!(w.check(36), Err(SrtpError::ReplayTooOld { index: 36 }));
        w.accept(99);
        w.accept(300);
        assert!(w.check(299).is_ok());
        assert_eq!(w.check(100), Err(SrtpError::ReplayTooOld { index: 100 }));
        w.accept(301);
        assert_eq!(w.check(300), Err(SrtpError::ReplayDuplicate { index: 300 }));
        // Bits from before a jump are cleared.
        let mut w = ReplayWindow::new(128);
        for i in 0..128 {
            w.accept(i);
        }
        w.accept(200);
        for i in 128..200 {
            assert!(w.check(i).is_ok(), "{i}");
        }
        for i in 73..128 {
            assert_eq!(w.check(i), Err(SrtpError::ReplayDuplicate { index: i }));
        }
        assert_eq!(w.check(72), Err(SrtpError::ReplayTooOld { index: 72 }));
    }
}
