// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "MistralKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MistralKit", targets: ["MistralKit"]),
        .library(name: "MistralEmulator", targets: ["MistralEmulator"]),
        .executable(name: "mistral", targets: ["mistral"]),
        .executable(name: "mistral-bench", targets: ["MistralBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
    ],
    targets: [
        // The client and wire models. Never imports Hummingbird or any database.
        .target(
            name: "MistralKit",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // An offline stand-in for the Mistral service, reusing MistralKit's wire models.
        .target(
            name: "MistralEmulator",
            dependencies: [
                "MistralKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "mistral",
            dependencies: [
                "MistralKit",
                "MistralEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "MistralBenchmarks",
            dependencies: [
                "MistralKit",
                "MistralEmulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/MistralBenchmarks"
        ),
        // Shared fixtures for the test targets: an emulator on a free port, temp paths.
        .target(
            name: "MistralTestSupport",
            dependencies: [
                "MistralKit", "MistralEmulator",
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/MistralTestSupport"
        ),
        .testTarget(
            name: "MistralKitTests",
            dependencies: [
                "MistralKit", "MistralTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "MistralEmulatorTests",
            dependencies: ["MistralEmulator", "MistralTestSupport"]
        ),
        .testTarget(
            name: "MistralCLITests",
            dependencies: ["mistral", "MistralTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
