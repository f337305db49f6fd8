//! `uniffi-bindgen`, pinned to the uniffi version of `mikey-sakke-ffi`:
//! `cargo run -p uniffi-bindgen -- generate --library <libmikey_sakke_ffi.so>
//! --language kotlin|swift|python --out-dir <dir>`.
fn main() {
    uniffi::uniffi_bindgen_main()
}
