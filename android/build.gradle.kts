// Android library (AAR) of the MIKEY-SAKKE SDK: the Rust library built per
// ABI with cargo-ndk, the uniffi Kotlin bindings generated at build time
// (never committed) and the hand-written wrapper in src/main/kotlin.
//
// Needs: the Android SDK + NDK (ndkVersion below), Rust with the Android
// targets (`rustup target add aarch64-linux-android armv7-linux-androideabi
// x86_64-linux-android`) and cargo-ndk (`cargo install cargo-ndk`).
// `gradle assembleRelease` (from android/) writes build/outputs/aar/.
// `gradle test` runs the JVM tests on the host library (needs the
// `msk testbed` env vars, like .ci/kotlin-tests.sh, which is what CI runs).

import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.1.10"
}

val jnaVersion = "5.17.0"
val coroutinesVersion = "1.10.2"
val androidAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val minSdkVersion = 26

val repoRoot: File = projectDir.parentFile
val cargoTargetDir: File = layout.buildDirectory.dir("cargo").get().asFile
val rustJniLibsDir: File = layout.buildDirectory.dir("rustJniLibs").get().asFile
val uniffiOutDir: File = layout.buildDirectory.dir("generated/uniffi/kotlin").get().asFile
val cargo: String = providers.environmentVariable("CARGO").getOrElse("cargo")
val hostLibName: String = System.getProperty("os.name").lowercase().let {
    when {
        it.contains("mac") -> "libmikey_sakke_ffi.dylib"
        it.contains("windows") -> "mikey_sakke_ffi.dll"
        else -> "libmikey_sakke_ffi.so"
    }
}
val hostLibDir = File(cargoTargetDir, "release")

// Tasks first: the android block below refers to them.

/** The release library for every Android ABI, into build/rustJniLibs/<abi>/. */
val cargoNdk by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds libmikey_sakke_ffi.so for ${androidAbis.joinToString()} with cargo-ndk"
    workingDir = repoRoot
    environment("CARGO_TARGET_DIR", cargoTargetDir.path)
    val args = mutableListOf(cargo, "ndk")
    androidAbis.forEach { args += listOf("-t", it) }
    args += listOf("--platform", minSdkVersion.toString(), "-o", rustJniLibsDir.path)
    args += listOf("build", "--release", "--locked", "-p", "mikey-sakke-ffi")
    commandLine(args)
    inputs.files(fileTree(repoRoot) {
        include("Cargo.toml", "Cargo.lock", "*/Cargo.toml", "*/src/**", "bindings/uniffi.toml")
        exclude("target/**", "android/**")
    })
    outputs.dir(rustJniLibsDir)
}

/** The host build of the library and the workspace's pinned uniffi-bindgen. */
val cargoBuildHost by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds the host library and uniffi-bindgen"
    workingDir = repoRoot
    environment("CARGO_TARGET_DIR", cargoTargetDir.path)
    commandLine(cargo, "build", "--release", "--locked", "-p", "mikey-sakke-ffi", "-p", "uniffi-bindgen")
    inputs.files(fileTree(repoRoot) {
        include("Cargo.toml", "Cargo.lock", "*/Cargo.toml", "*/src/**", "bindings/**")
        exclude("target/**", "android/**")
    })
    outputs.file(File(hostLibDir, hostLibName))
    outputs.file(File(hostLibDir, "uniffi-bindgen"))
}

/** Kotlin bindings from the library's uniffi metadata (bindings/uniffi.toml). */
val generateUniffiKotlin by tasks.registering(Exec::class) {
    group = "rust"
    description = "Generates the uniffi Kotlin bindings into $uniffiOutDir"
    dependsOn(cargoBuildHost)
    workingDir = repoRoot
    doFirst { delete(uniffiOutDir) }
    commandLine(
        File(hostLibDir, "uniffi-bindgen").path, "generate",
        "--library", File(hostLibDir, hostLibName).path,
        "--language", "kotlin", "--out-dir", uniffiOutDir.path, "--no-format",
    )
    inputs.file(File(hostLibDir, hostLibName))
    outputs.dir(uniffiOutDir)
}

android {
    namespace = "org.mikeysakke"
    compileSdk = 35
    ndkVersion = "27.2.12479018"

    defaultConfig {
        minSdk = minSdkVersion
        consumerProguardFiles("consumer-rules.pro")
        ndk { abiFilters += androidAbis }
    }

    buildTypes {
        release { isMinifyEnabled = false }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            kotlin.srcDir(uniffiOutDir)
            jniLibs.srcDir(rustJniLibsDir)
        }
    }

    testOptions {
        unitTests.all { test ->
            test.useJUnitPlatform()
            // The host build of the same library: JNA (uniffi) and the JNI
            // fast path load it from here.
            test.systemProperty("jna.library.path", hostLibDir.path)
            test.systemProperty("java.library.path", hostLibDir.path)
            test.dependsOn(cargoBuildHost)
        }
    }
}

kotlin {
    compilerOptions { jvmTarget.set(JvmTarget.JVM_17) }
}

dependencies {
    // The AAR flavour of JNA carries libjnidispatch.so for every Android ABI.
    implementation("net.java.dev.jna:jna:$jnaVersion@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:$coroutinesVersion")

    // JVM unit tests: the plain JNA jar (host libjnidispatch).
    testImplementation("net.java.dev.jna:jna:$jnaVersion")
    testImplementation("org.jetbrains.kotlin:kotlin-test-junit5")
    testImplementation(platform("org.junit:junit-bom:5.11.4"))
    testImplementation("org.junit.jupiter:junit-jupiter")
    testImplementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:$coroutinesVersion")
    testRuntimeOnly("org.junit.platform:junit-platform-launcher")
}

tasks.named("preBuild") { dependsOn(cargoNdk, generateUniffiKotlin) }
