import Foundation

/// Acme's help-centre articles, the bot's knowledge base: the Markdown files in `faq/` beside
/// this file (also what `scripts/serve.sh` uploads to the library it seeds). Each file's first
/// heading is its title.
enum FAQ {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("faq")
    static let files = ["shipping", "returns", "account"].map { folder.appendingPathComponent("\($0).md") }
}
