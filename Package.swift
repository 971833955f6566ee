// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "MistralKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MistralKit", targets: ["MistralKit"]),
        .library(name: "MistralTokenizer", targets: ["MistralTokenizer"]),
        .library(name: "MistralEmulator", targets: ["MistralEmulator"]),
        .library(name: "MistralChat", targets: ["MistralChat"]),
        .library(name: "MistralStore", targets: ["MistralStore"]),
        .library(name: "MistralGatewayCore", targets: ["MistralGatewayCore"]),
        .library(name: "MistralGateway", targets: ["MistralGateway"]),
        .executable(name: "mistral", targets: ["mistral"]),
        .executable(name: "mistral-bench", targets: ["MistralBenchmarks"]),
        .executable(name: "mistral-tokenizer-bench", targets: ["MistralTokenizerBenchmarks"]),
        .executable(name: "support-bot", targets: ["SupportBot"]),
    ],
    traits: [
        // `swift build --traits OTLP`: `mistral serve` can export traces over OTLP/HTTP (swift-otel).
        // Off by default: swift-otel adds minutes to every cold build, and CI does not need it.
        .trait(name: "OTLP", description: "OTLP/HTTP trace export for mistral serve (swift-otel)")
    ],
    dependencies: [
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // `swift package generate-documentation`: the DocC catalogs in Sources/<Module>/<Module>.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        // Mistral's tokenizers (tekken, SentencePiece), exact against mistral-common. Foundation only.
        .target(name: "MistralTokenizer"),
        // The client and wire models. Never imports Hummingbird or any database.
        .target(
            name: "MistralKit",
            dependencies: [
                "MistralTokenizer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The int8 dot-product kernel behind MistralChat's vector index (AVX2 when present).
        .target(name: "CMistralVectors"),
        // The chatbot engine: conversations, personas; storage protocols it owns. No database imports.
        .target(
            name: "MistralChat",
            dependencies: [
                "MistralKit",
                "CMistralVectors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The gateway's domain without HTTP: keys, limits, the request ledger, their storage protocols.
        .target(
            name: "MistralGatewayCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // SQLite (GRDB) and PostgreSQL (PostgresNIO) implementations of MistralChat's and the gateway's stores.
        .target(
            name: "MistralStore",
            dependencies: [
                "MistralChat", "MistralKit", "MistralGatewayCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The server (`mistral serve`): the Mistral API in front of an upstream, with keys, limits,
        // budgets, a fair queue, a ledger and metrics. A thin HTTP face over MistralKit.
        .target(
            name: "MistralGateway",
            dependencies: [
                "MistralKit", "MistralGatewayCore", "MistralChat",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
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
                "MistralTokenizer",
                "MistralChat",
                "MistralStore",
                "MistralGatewayCore",
                "MistralGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTLP"])),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "MistralBenchmarks",
            dependencies: [
                "MistralKit",
                "MistralEmulator",
                "MistralChat",
                "MistralStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/MistralBenchmarks"
        ),
        // The runnable example: a customer-support bot (Examples/SupportBot/README.md).
        .executableTarget(
            name: "SupportBot",
            dependencies: [
                "MistralKit", "MistralChat", "MistralStore", "MistralEmulator",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Examples/SupportBot",
            exclude: ["README.md", "faq"]
        ),
        .executableTarget(
            name: "MistralTokenizerBenchmarks",
            dependencies: ["MistralTokenizer"],
            path: "Benchmarks/MistralTokenizerBenchmarks"
        ),
        // Shared fixtures for the test targets: an emulator on a free port, temp paths.
        .target(
            name: "MistralTestSupport",
            dependencies: [
                "MistralKit", "MistralEmulator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/MistralTestSupport"
        ),
        .testTarget(
            name: "MistralKitTests",
            dependencies: [
                "MistralKit", "MistralTokenizer", "MistralEmulator", "MistralTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "MistralChatTests",
            dependencies: [
                "MistralChat", "MistralStore", "MistralKit", "MistralEmulator", "MistralTestSupport", "MistralGatewayCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "MistralTokenizerTests",
            dependencies: ["MistralTokenizer"]
        ),
        .testTarget(
            name: "MistralEmulatorTests",
            dependencies: ["MistralEmulator", "MistralKit", "MistralTestSupport"]
        ),
        .testTarget(
            name: "MistralGatewayTests",
            dependencies: [
                "MistralGateway", "MistralGatewayCore", "MistralKit", "MistralEmulator", "MistralTestSupport", "MistralChat", "MistralStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "MistralCLITests",
            dependencies: ["mistral", "MistralKit", "MistralEmulator", "MistralTestSupport", "MistralStore", "MistralGatewayCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
