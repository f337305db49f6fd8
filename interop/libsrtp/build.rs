//! Compiles the C shim over libsrtp2 and links libsrtp2 (found with
//! pkg-config, or plain `-lsrtp2`).

fn main() {
    println!("cargo:rerun-if-changed=csrc/shim.c");
    let lib = pkg_config::Config::new()
        .cargo_metadata(false)
        .probe("libsrtp2");
    let mut build = cc::Build::new();
    build.file("csrc/shim.c").warnings(true);
    match &lib {
        Ok(lib) => {
            for path in &lib.include_paths {
                build.include(path);
            }
        }
        Err(e) => println!("cargo:warning=pkg-config did not find libsrtp2 ({e}); using -lsrtp2"),
    }
    // The shim first, then libsrtp2, so that the linker resolves the shim's
    // references.
    build.compile("srtp_shim");
    match lib {
        Ok(lib) => {
            for path in lib.link_paths {
                println!("cargo:rustc-link-search=native={}", path.display());
            }
            for name in lib.libs {
                println!("cargo:rustc-link-lib={name}");
            }
        }
        Err(_) => println!("cargo:rustc-link-lib=srtp2"),
    }
}
