/// Renders a request as a `curl` command that reproduces it, for bug reports and debugging.
public enum CurlCommand {
    /// The command for `request`. The `Authorization` header is redacted unless `revealKey`.
    public static func render(_ request: HTTPRequestDescription, revealKey: Bool = false) -> String {
        var parts = ["curl", "-sS"]
        if request.method != .GET { parts += ["-X", request.method.rawValue] }
        parts.append(quote(request.url))
        for (name, value) in request.headers where name.lowercased() != "content-length" {
            let shown = !revealKey && isSecret(name) ? redacted(value) : value
            parts += ["-H", quote("\(name): \(shown)")]
        }
        if let body = request.body {
            parts += ["--data-raw", quote(String(decoding: body, as: UTF8.self))]
        }
        if request.headers.first(name: "accept") == "text/event-stream" { parts.append("-N") }
        return parts.joined(separator: " ")
    }

    static func isSecret(_ header: String) -> Bool {
        let name = header.lowercased()
        return name == "authorization" || name == "x-api-key" || name == "proxy-authorization"
    }

    /// `Bearer abcd…wxyz` becomes `Bearer ***`: enough to recognise the scheme, nothing of the key.
    static func redacted(_ value: String) -> String {
        if let space = value.firstIndex(of: " ") { return value[..<space] + " ***" }
        return "***"
    }

    /// Single-quotes `text` for POSIX shells.
    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
