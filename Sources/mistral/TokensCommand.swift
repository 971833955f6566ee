import ArgumentParser
import Foundation
import MistralTokenizer

/// `mistral tokens encode|decode|count`: Mistral's tokenizers offline, from a tokenizer file.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Encode, decode and count tokens offline with a Mistral tokenizer file.",
        discussion: """
            --tokenizer takes a tekken.json file or a SentencePiece tokenizer.model.v1 ... .v7 file (its \
            version comes from the name), as shipped with Mistral's models. Counts and ids are the ones \
            mistral-common gives.
            """,
        subcommands: [Encode.self, Decode.self, Count.self])

    /// The tokenizer file option shared by the subcommands.
    struct TokenizerOption: ParsableArguments {
        @Option(name: .customLong("tokenizer"), help: ArgumentHelp("The tokenizer file (tekken.json or tokenizer.model.vN).", valueName: "path"))
        var path: String?

        private var missing: ValidationError { ValidationError("Missing --tokenizer: give a tekken.json or tokenizer.model.vN file.") }

        /// For the subcommands that cannot do without a tokenizer.
        func validateGiven() throws {
            if path == nil { throw missing }
        }

        /// The tokenizer `--tokenizer` names, or `nil` when it is not given.
        func loadIfGiven() throws -> Tokenizer? {
            try path.map { try Tokenizer.load(contentsOf: URL(fileURLWithPath: $0)) }
        }

        /// The tokenizer `--tokenizer` names, which ``validateGiven()`` requires.
        func load() throws -> Tokenizer {
            guard let tokenizer = try loadIfGiven() else { throw missing }
            return tokenizer
        }
    }

    /// `mistral tokens encode`: the ids of a text.
    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the token ids of a text, space-separated on one line.")

        @OptionGroup var tokenizer: TokenizerOption

        @Argument(help: "The text. Without it, standard input is read as is (a final newline counts too).")
        var text: String?

        @Flag(help: "Start with the beginning-of-sequence token.")
        var bos = false

        @Flag(help: "End with the end-of-sequence token.")
        var eos = false

        func validate() throws {
            try tokenizer.validateGiven()
            try TokensCommand.validateInput(given: text != nil)
        }

        func run() throws {
            do {
                let loaded = try tokenizer.load()
                let ids = loaded.encode(try TokensCommand.readText(text), addBOS: bos, addEOS: eos)
                Terminal.write(ids.map(String.init).joined(separator: " ") + "\n")
            } catch {
                throw Terminal.fail(error)
            }
        }
    }

    /// `mistral tokens decode`: the text of some ids.
    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the text of token ids, followed by a newline.")

        @OptionGroup var tokenizer: TokenizerOption

        @Argument(help: "Token ids, separated by spaces or commas. Without them, they are read from standard input.")
        var ids: [String] = []

        @Flag(help: "Write special tokens ([INST], </s>, ...) instead of leaving them out.")
        var special = false

        func validate() throws {
            try tokenizer.validateGiven()
            try TokensCommand.validateInput(given: !ids.isEmpty)
        }

        func run() throws {
            do {
                let loaded = try tokenizer.load()
                let text = ids.isEmpty ? try TokensCommand.readText(nil) : ids.joined(separator: " ")
                Terminal.write(try loaded.decode(try Decode.parseIDs(text), keepingSpecialTokens: special) + "\n")
            } catch {
                throw Terminal.fail(error)
            }
        }

        /// Whole numbers separated by whitespace or commas; brackets are allowed, so a Python
        /// or JSON list can be pasted as is.
        static func parseIDs(_ text: String) throws -> [Int] {
            try text.split { $0.isWhitespace || $0 == "," || $0 == "[" || $0 == "]" }.map { word in
                guard let id = Int(word) else {
                    throw TokenizerError(.invalidTokenID, "\"\(word)\" is not a token id; give whole numbers separated by spaces or commas")
                }
                return id
            }
        }
    }

    /// `mistral tokens count`: how many tokens a text or a chat request takes.
    struct Count: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print how many tokens a text, or a chat request as the model sees it, takes.",
            discussion: """
                Without --tokenizer the count is an estimate from the text's characters, which runs high on \
                long natural text (about one and a half times the true count), and a note on standard error says so.
                """)

        @OptionGroup var tokenizer: TokenizerOption

        @Argument(help: "The text. Without it (and without --chat), standard input is read as is.")
        var text: String?

        @Option(help: ArgumentHelp(
            "A Mistral chat-completions request body (JSON) to count as rendered for the model; - reads standard input.",
            valueName: "file"))
        var chat: String?

        func validate() throws {
            if text != nil, chat != nil { throw ValidationError("Give either a text or --chat, not both.") }
            try TokensCommand.validateInput(given: chat.map { $0 != "-" } ?? (text != nil))
        }

        func run() throws {
            do {
                let loaded = try tokenizer.loadIfGiven()
                let count: Int
                if let chat {
                    count = try Count.countChatRequest(at: chat, with: loaded)
                } else {
                    let input = try TokensCommand.readText(text)
                    count = loaded?.countTokens(input) ?? TokenEstimate(input).tokens
                }
                Terminal.write("\(count)\n")
                if loaded == nil {
                    Terminal.error("note: \(count) is an estimate from character counts; pass --tokenizer for the exact count.")
                }
            } catch {
                throw Terminal.fail(error)
            }
        }

        /// The tokens of the chat request in the file at `path` (`-` for standard input), or
        /// their estimate without a tokenizer; a failure to read, parse or render it names the file.
        static func countChatRequest(at path: String, with tokenizer: Tokenizer?) throws -> Int {
            do {
                let data: Data
                do {
                    data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
                } catch {
                    throw TokenizerError(.unreadableFile, "cannot read the chat request: \(error.localizedDescription)")
                }
                let request = try ChatRequest(json: data)
                return try tokenizer?.countTokens(request) ?? TokenEstimate(request).tokens
            } catch var error as TokenizerError {
                error.path = path == "-" ? "standard input" : path
                throw error
            }
        }
    }

    /// Refuses to wait on a terminal for input that was not `given` as an argument.
    static func validateInput(given: Bool) throws {
        if !given, Terminal.stdinIsTerminal {
            throw ValidationError("No input: give it as an argument or pipe it on standard input.")
        }
    }

    /// `argument`, or else all of standard input, which must be UTF-8.
    static func readText(_ argument: String?) throws -> String {
        if let argument { return argument }
        guard let text = String(validating: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) else {
            throw InputError(description: "standard input is not UTF-8 text")
        }
        return text
    }

    /// Input that cannot be tokenized, described in one line.
    struct InputError: Error, CustomStringConvertible {
        var description: String
    }
}
