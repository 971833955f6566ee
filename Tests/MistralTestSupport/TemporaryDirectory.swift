import Foundation

/// Runs `body` with a new empty directory under the system's temporary directory, and deletes
/// the directory and everything in it afterwards, also when `body` throws.
/// Throws when the directory cannot be created.
public func withTemporaryDirectory<Result>(
    prefix: String = "mistralkit-test", _ body: (URL) async throws -> Result
) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}
