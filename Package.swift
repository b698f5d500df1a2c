// swift-tools-version: 6.2
// swift-subprocess 1.x needs tools version 6.2; it streams frames into ffmpeg's stdin with back-pressure.

import PackageDescription

/// Settings every target shares: Swift 6 language mode plus the upcoming features the house style asks for.
let sharedSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Hot numeric loops (sampler, scene renderer, decoder) are compiled with optimisation even in
/// debug builds, so `swift test` exercises real clip sizes without a slow release build.
let hotLoopSettings: [SwiftSetting] = sharedSettings + [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "VideoGenX",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "videogenx", targets: ["videogenx"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
    ],
    targets: [
        .target(name: "VideoGenXCore", dependencies: [.product(name: "Metrics", package: "swift-metrics")], swiftSettings: sharedSettings),
        .target(
            name: "VideoGenXInference",
            dependencies: ["VideoGenXCore"],
            swiftSettings: hotLoopSettings
        ),
        // C helpers of VideoGenXMedia: the RGB -> yuv420p loop (vectorised, cloned for AVX2, which Swift cannot) and the frame pipe.
        .target(name: "CVideoGenXMedia", cSettings: [.unsafeFlags(["-O2"])]),
        .target(
            name: "VideoGenXMedia",
            dependencies: [
                "VideoGenXCore", "CVideoGenXMedia",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: hotLoopSettings
        ),
        .target(
            name: "VideoGenXStore",
            dependencies: [
                "VideoGenXCore", .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXStoreSQLite",
            dependencies: [
                "VideoGenXCore", "VideoGenXStore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXStorePostgres",
            dependencies: [
                "VideoGenXCore", "VideoGenXStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXONNX",
            dependencies: [
                "VideoGenXCore", "VideoGenXInference",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXObjects",
            dependencies: [
                "VideoGenXCore", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXObjectsS3",
            dependencies: [
                "VideoGenXCore", "VideoGenXObjects",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXScheduler",
            dependencies: [
                "VideoGenXCore", "VideoGenXInference", "VideoGenXMedia", "VideoGenXStore", "VideoGenXObjects", "VideoGenXObjectsS3", "VideoGenXTelemetry",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXServer",
            dependencies: [
                "VideoGenXCore", "VideoGenXStore", "VideoGenXObjects", "VideoGenXTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXCacheRedis",
            dependencies: [
                "VideoGenXCore", "VideoGenXStore", "VideoGenXServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXTelemetry",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXClient",
            dependencies: [
                "VideoGenXServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXBenchmarks",
            dependencies: [
                "VideoGenXPlatform", "VideoGenXClient", "VideoGenXCore", "VideoGenXInference", "VideoGenXMedia", "VideoGenXStore",
                "VideoGenXObjects", "VideoGenXObjectsS3", "VideoGenXStoreSQLite", "VideoGenXStorePostgres", "VideoGenXScheduler",
                "VideoGenXServer", "VideoGenXONNX",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXPlatform",
            dependencies: [
                "VideoGenXClient", "VideoGenXCore", "VideoGenXInference", "VideoGenXMedia", "VideoGenXStore", "VideoGenXObjects", "VideoGenXObjectsS3",
                "VideoGenXStoreSQLite", "VideoGenXStorePostgres", "VideoGenXScheduler", "VideoGenXServer", "VideoGenXONNX", "VideoGenXCacheRedis",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: sharedSettings
        ),
        .executableTarget(
            name: "videogenx",
            dependencies: [
                "VideoGenXPlatform", "VideoGenXClient", "VideoGenXBenchmarks", "VideoGenXCore",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: sharedSettings
        ),
        .testTarget(name: "VideoGenXCoreTests", dependencies: ["VideoGenXCore"], swiftSettings: sharedSettings),
        .testTarget(
            name: "VideoGenXTelemetryTests",
            dependencies: [
                "VideoGenXTelemetry", "VideoGenXTestSupport", .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "VideoGenXInferenceTests",
            dependencies: ["VideoGenXInference"],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "VideoGenXMediaTests",
            dependencies: ["VideoGenXMedia", .product(name: "Subprocess", package: "swift-subprocess")],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "VideoGenXONNXTests",
            dependencies: ["VideoGenXONNX", "VideoGenXInference", "VideoGenXCore", "VideoGenXTestSupport"],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "VideoGenXObjectsTests",
            dependencies: [
                "VideoGenXCore", "VideoGenXObjects", "VideoGenXObjectsS3", "VideoGenXTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "VideoGenXStoreTests",
            dependencies: [
                "VideoGenXStore", "VideoGenXStoreSQLite", "VideoGenXStorePostgres", "StoreCrashHelper", "VideoGenXTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: sharedSettings
        ),
        .executableTarget(
            name: "StoreCrashHelper",
            dependencies: [
                "VideoGenXStore", "VideoGenXStoreSQLite", "VideoGenXStorePostgres", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/StoreCrashHelper",
            swiftSettings: sharedSettings
        ),
        .target(
            name: "VideoGenXTestSupport",
            dependencies: [
                "VideoGenXStore", "VideoGenXStorePostgres",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "VideoGenXSchedulerTests",
            dependencies: [
                "VideoGenXScheduler", "VideoGenXMedia", "VideoGenXStore", "VideoGenXStoreSQLite", "VideoGenXObjects",
                "VideoGenXInference", "VideoGenXTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "VideoGenXCacheRedisTests",
            dependencies: [
                "VideoGenXCacheRedis", "VideoGenXServer", "VideoGenXStore", "VideoGenXStoreSQLite", "VideoGenXCore", "VideoGenXTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "VideoGenXServerTests",
            dependencies: [
                "VideoGenXServer", "VideoGenXStore", "VideoGenXStoreSQLite", "VideoGenXObjects", "VideoGenXCore",
                "VideoGenXTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "VideoGenXPlatformTests",
            dependencies: [
                "VideoGenXPlatform", "VideoGenXClient", "VideoGenXMedia", "VideoGenXServer", "VideoGenXTestSupport", "VideoGenXCacheRedis",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: sharedSettings
        ),
    ]
)
