// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(["-warnings-as-errors"], .when(configuration: .release)),
]

// Executables link with lld: it packs the relative relocations of a position-independent binary (~2 MB of
// `.rela.dyn` that the loader reads at every start) into a few kilobytes (DT_RELR, glibc 2.36); it places the
// functions listed in linking/symbol-order.txt (what a server runs to start and answer; `make symbol-order`) side
// by side at the front, so that they share a few megabytes of pages instead of touching pages across all the code
// (release builds compile with `-function-sections` for this, see SWIFT_FLAGS in the Makefile); and it exports no
// symbols, which the static Swift runtime's link options would otherwise ask for every one of ours (~1 MB of tables).
let compactLinking: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic",
        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/linking/symbol-order.txt",
        "-Xlinker", "--no-warn-symbol-ordering",
    ])
]

let package = Package(
    name: "appliance",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "appliance", targets: ["appliance"]),
        .executable(name: "fcgi-ceiling", targets: ["fcgi-ceiling"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", path: "Sources/CFastCGI"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .systemLibrary(name: "CArgon2", path: "Sources/CArgon2"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CQREncode", path: "Sources/CQREncode"),
        // libcurl and libxml2 are loaded on first use (see their headers), not linked.
        .target(name: "CLoader"),
        .target(name: "CCurl", dependencies: ["CLoader"]),
        .target(name: "CXML2", dependencies: ["CLoader"], cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])]),
        .target(name: "Basics", swiftSettings: strict),
        .target(
            name: "Cryptography",
            dependencies: ["Basics", "COpenSSL", "CArgon2", "CQREncode"],
            swiftSettings: strict
        ),
        .target(
            name: "Storage",
            dependencies: ["Basics", "Cryptography", "CSQLite", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .target(
            name: "Identity",
            dependencies: [
                "Basics", "Cryptography", "Storage", "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Reading token files needs libxml2: a module of its own keeps it out of everything else.
        .target(
            name: "TokenFiles",
            dependencies: ["Basics", "Cryptography", "Identity", "CXML2"],
            // libxml2's headers live under their own directory, which Swift's view of CXML2 needs as well.
            swiftSettings: strict + [.unsafeFlags(["-Xcc", "-I/usr/include/libxml2"])]
        ),
        .target(
            name: "FastCGI",
            dependencies: ["CFastCGI", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "Web",
            dependencies: [
                "Basics", "Cryptography", "Storage", "Identity", "FastCGI",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Commands",
            dependencies: [
                "Basics", "Cryptography", "Storage", "Identity", "FastCGI", "Web", "TokenFiles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "appliance", dependencies: ["Commands"], swiftSettings: strict, linkerSettings: compactLinking
        ),
        .executableTarget(
            name: "fcgi-ceiling",
            dependencies: ["FastCGI", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict,
            linkerSettings: compactLinking
        ),
        .target(
            name: "TestSupport",
            dependencies: ["Basics", "Cryptography", "Storage", "Identity", "FastCGI", "Web"],
            swiftSettings: strict
        ),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"], swiftSettings: strict),
        .testTarget(name: "CryptographyTests", dependencies: ["Cryptography", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "IdentityTests", dependencies: ["Identity", "TestSupport", "CLoader"], swiftSettings: strict),
        .testTarget(name: "TokenFilesTests", dependencies: ["TokenFiles", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "WebTests", dependencies: ["Web", "TestSupport"], swiftSettings: strict),
    ]
)

// libFuzzer targets, built only by `make fuzz` (APPLIANCE_FUZZ=1 swift build --sanitize=fuzzer):
// their entry point is libFuzzer's, so an ordinary build must not try to link them.
if Context.environment["APPLIANCE_FUZZ"] == "1" {
    let dependency = ["FuzzServiceURL": "Identity", "FuzzPSKC": "TokenFiles"]
    for name in ["FuzzForm", "FuzzCookies", "FuzzRequest", "FuzzServiceURL", "FuzzPSKC"] {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: [.target(name: dependency[name] ?? "FastCGI")], path: "Fuzz/\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}
