import ArgumentParser
import Foundation
import Logging
import MistralKit
import Synchronization

/// Output helpers: stdout for results, stderr for everything else.
enum Terminal {
    private static let loggingBootstrapped = Mutex(false)

    /// Sends swift-log output to stderr, once per process.
    static func bootstrapLogging() {
        loggingBootstrapped.withLock { done in
            if !done { LoggingSystem.bootstrap(StreamLogHandler.standardError) }
            done = true
        }
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Prints `error` as one line on stderr and returns the exit code to throw.
    static func fail(_ error: any Error) -> ExitCode {
        if let exit = error as? ExitCode { return exit }
        if let error = error as? MistralError {
            Terminal.error("error: \(error)")
            return ExitCode(error.kind == .configuration ? 2 : 1)
        }
        Terminal.error("error: \(error)")
        return ExitCode(1)
    }

    static func json<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        String(decoding: pretty ? try JSONCoding.encodePretty(value) : try JSONCoding.encode(value), as: UTF8.self)
    }

    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) != 0 }

    /// Prints a stream as it arrives: the text deltas, or each chunk as a JSON line. If the
    /// stream fails, the partial line is ended before the error propagates, so the error line
    /// that follows stands on its own. Returns everything received, folded.
    static func printStream(_ stream: ChatCompletionStream, json: Bool) async throws -> ChatCompletionAccumulator {
        var accumulator = ChatCompletionAccumulator()
        var printedText = false
        do {
            for try await chunk in stream {
                accumulator.add(chunk)
                if json {
                    write(try Terminal.json(chunk, pretty: false) + "\n")
                } else if let text = chunk.choices.first?.delta.content?.text, !text.isEmpty {
                    write(text)
                    printedText = true
                }
            }
        } catch {
            if printedText { write("\n") }
            throw error
        }
        if !json { write("\n") }
        return accumulator
    }
}
