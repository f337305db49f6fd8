// swift-tools-version:5.9
// Example use of the MIKEY-SAKKE Swift package (../../ios): provision two
// users, set up a private call and protect/unprotect media.
//   swift run --package-path examples/swift    (with the testbed's variables)
import PackageDescription

let package = Package(
    name: "MikeySakkeExample",
    platforms: [.iOS(.v15), .macOS(.v12)],
    dependencies: [
        .package(name: "MikeySakke", path: "../../ios"),
    ],
    targets: [
        .executableTarget(
            name: "MikeySakkeExample",
            dependencies: [.product(name: "MikeySakke", package: "MikeySakke")],
            path: "Sources/MikeySakkeExample"
        ),
    ]
)
