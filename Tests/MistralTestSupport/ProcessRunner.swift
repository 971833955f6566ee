import Foundation

/// The outcome of a finished child process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs programs for end-to-end tests: the `mistral` binary, Python peers.
public enum ProcessRunner {
    /// Runs `executable` to completion (killing it after `timeout`) and captures its output.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        // Tests must not pick up a developer's real key or server.
        for name in ["MISTRAL_API_KEY", "MISTRAL_BASE_URL", "MISTRAL_SERVER"] { env[name] = nil }
        // Tests never write to the user's own usage ledger.
        env["MISTRAL_USAGE_LEDGER"] = NSTemporaryDirectory() + "mistralkit-test-usage-\(getpid()).jsonl"
        // ...nor to their own conversation database.
        env["MISTRAL_DATABASE_URL"] = NSTemporaryDirectory() + "mistralkit-test-chat-\(getpid()).sqlite"
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        // Pipes are drained on threads of their own and the exit is awaited without blocking:
        // blocking the cooperative pool would starve an in-process emulator the child talks to.
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            exited.continuation.yield()
            exited.continuation.finish()
        }
        try process.run()
        async let stdoutData = drain(out.fileHandleForReading)
        async let stderrData = drain(err.fileHandleForReading)
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let killer = Task {
            try await Task.sleep(for: timeout)
            process.terminate()
        }
        let (o, e) = await (stdoutData, stderrData)
        for await _ in exited.stream {}
        killer.cancel()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    private static func drain(_ handle: FileHandle) async -> Data {
        // A dedicated thread: Dispatch's global queues share threads with Swift's cooperative
        // pool on Linux, so blocking reads there would starve in-process servers.
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: handle.readDataToEndOfFile()) }.start()
        }
    }

    /// The path of a product built next to the running tests (e.g. `mistral`).
    public static func builtProduct(_ name: String) throws -> String {
        var candidates: [URL] = []
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent(name))
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/\(name)"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        throw ProcessRunnerError(message: "No built '\(name)' next to \(testBinary.path): run `swift build` first.")
    }

    /// The Python interpreter of the real peers' venv (from scripts/setup-peers.sh), or `nil`
    /// when it is not installed. With `MISTRALKIT_REQUIRE_PEERS=1` (the test script sets it)
    /// a missing venv throws instead, so CI cannot skip the real-peer tests silently.
    public static func peersPython() throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["MISTRALKIT_PEERS_PYTHON"], NSHomeDirectory() + "/.cache/mistralkit/peers/venv/bin/python"]
        for case let path? in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        if environment["MISTRALKIT_REQUIRE_PEERS"] == "1" {
            throw ProcessRunnerError(message: "The peers venv is missing; run scripts/setup-peers.sh.")
        }
        return nil
    }

    /// Whether tests of the Python peers should run: the venv is installed, or its absence must
    /// fail (`MISTRALKIT_REQUIRE_PEERS=1`). For `.enabled(if:)`, so a missing peer is a skip, not a pass.
    public static var peersPythonShouldRun: Bool {
        (try? peersPython()) != nil || ProcessInfo.processInfo.environment["MISTRALKIT_REQUIRE_PEERS"] == "1"
    }

    /// The package's root directory (for scripts/).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// A failure to start or find a program.
public struct ProcessRunnerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}
