import Foundation

/// Finds the installed font family that will draw a requested font name, through fontconfig's
/// `fc-match` (the same matching libass does). Unknown names fall back to fontconfig's best
/// match for Simplified Chinese, so CJK text always has glyphs; the answer is what the task
/// records as the font used.
public struct FontResolver: Sendable {
    /// The `fc-match` executable. Default `fc-match` on `PATH`.
    public var executable: String
    /// Language the fallback must cover. Default `zh-cn`.
    public var language: String

    /// Creates a resolver; defaults as documented on each property.
    public init(executable: String = "fc-match", language: String = "zh-cn") {
        self.executable = executable
        self.language = language
    }

    /// The family fontconfig picks for `name` (validated: letters, digits, spaces, `-`, `_`), or
    /// for the default sans-serif when `name` is `nil`. When the requested family is not
    /// installed, fontconfig substitutes; the substitute is returned.
    ///
    /// - Throws: ``MediaError`` `toolNotFound` when fontconfig is not installed.
    public func family(for name: String?) async throws -> String {
        let pattern = "\(name ?? "sans-serif"):lang=\(language)"
        let output = try await ToolLocator.collect(executable, arguments: ["-f", "%{family[0]}", pattern], limit: 4096)
        let family = output.trimmingCharacters(in: .whitespacesAndNewlines)
        return family.isEmpty ? "sans-serif" : family
    }
}
