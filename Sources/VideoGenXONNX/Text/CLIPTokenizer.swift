import Foundation

/// CLIP's byte-level BPE tokenizer, written in Swift so that the text encoder's graph stays a
/// plain ONNX graph (no custom-op library to ship per platform) and its tokens can be tested
/// against Hugging Face `tokenizers` directly. It reads the merges of CLIP's
/// `bpe_simple_vocab_16e6.txt` (gzipped, as the open-clip-torch wheel ships it) and does what
/// `CLIPTokenizerFast` does: NFC, whitespace runs to one space, lowercase; split into CLIP's
/// pre-tokens; bytes to CLIP's printable byte alphabet; BPE with `</w>` ending each word;
/// `<|startoftext|>` … `<|endoftext|>`, truncated to `maxLength` and padded with
/// `<|endoftext|>`.
public struct CLIPTokenizer: Sendable {
    /// Token id of `<|startoftext|>`.
    public let startID: Int
    /// Token id of `<|endoftext|>` (also the padding).
    public let endID: Int
    /// Tokens per encoded prompt, start and end included.
    public let maxLength: Int
    private let encoder: [String: Int]
    private let ranks: [Pair: Int]
    private let byteAlphabet: [Character]

    private struct Pair: Hashable {
        var first: String
        var second: String
    }

    /// CLIP's merge count (49152 − 256 − 2): the vocabulary is 256 byte symbols, the same with
    /// `</w>`, one token per merge, and the two specials — 49408 tokens.
    static let mergeCount = 48_894

    /// A tokenizer over the merges in `vocabulary` (a BPE merges file; gzipped when it ends in `.gz`).
    /// - Throws: ``OnnxError`` `tokenizer_vocabulary` when the file cannot be read or is not a
    ///   CLIP merges file.
    public init(vocabulary path: String, maxLength: Int = 77) throws {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let raw = path.hasSuffix(".gz") ? try Gzip.decompress(data) : data
            text = String(decoding: raw, as: UTF8.self)
        } catch {
            throw OnnxError(code: "tokenizer_vocabulary", message: "cannot read the BPE vocabulary \(path): \(error)")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > Self.mergeCount else {
            throw OnnxError(code: "tokenizer_vocabulary", message: "\(path) has \(lines.count) lines; a CLIP merges file has at least \(Self.mergeCount + 1)")
        }
        let merges = lines[1...Self.mergeCount].map { line -> Pair in
            let parts = line.split(separator: " ", maxSplits: 1)
            return Pair(first: String(parts.first ?? ""), second: String(parts.count > 1 ? parts[1] : ""))
        }
        let alphabet = Self.bytesToUnicode()
        // The vocabulary lists the byte symbols in GPT-2's order (printable bytes first), not by byte value.
        let symbols = Self.byteOrder().map { String(alphabet[$0]) }
        var vocabulary = symbols
        vocabulary += symbols.map { $0 + "</w>" }
        vocabulary += merges.map { $0.first + $0.second }
        vocabulary += ["<|startoftext|>", "<|endoftext|>"]
        var encoder: [String: Int] = [:]
        for (id, token) in vocabulary.enumerated() where encoder[token] == nil {
            encoder[token] = id
        }
        self.encoder = encoder
        ranks = Dictionary(merges.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        byteAlphabet = alphabet
        startID = vocabulary.count - 2
        endID = vocabulary.count - 1
        self.maxLength = maxLength
    }

    /// Vocabulary size (49408 for CLIP).
    public var vocabularySize: Int { endID + 1 }

    /// The token ids of `text`: start, at most `maxLength − 2` text tokens, end, then padding to
    /// `maxLength`.
    public func encode(_ text: String) -> [Int] {
        var ids = [startID]
        for word in Self.preTokens(Self.normalize(text)) {
            let symbols = word.utf8.map { byteAlphabet[Int($0)] }
            for token in bpe(symbols) {
                ids.append(encoder[token] ?? endID)
                if ids.count == maxLength - 1 { break }
            }
            if ids.count == maxLength - 1 { break }
        }
        ids.append(endID)
        return ids + Array(repeating: endID, count: maxLength - ids.count)
    }

    /// NFC, whitespace runs to one space, lowercase (the CLIP normalizer of `tokenizers`).
    static func normalize(_ text: String) -> String {
        let composed = text.precomposedStringWithCanonicalMapping
        var result = ""
        var inSpace = false
        for scalar in composed.unicodeScalars {
            if scalar.properties.isWhitespace {
                if !inSpace { result.unicodeScalars.append(" ") }
                inSpace = true
            } else {
                result.unicodeScalars.append(scalar)
                inSpace = false
            }
        }
        return result.lowercased()
    }

    /// CLIP's pre-tokens: `'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+`, in order;
    /// whitespace separates and is dropped.
    static func preTokens(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [String] = []
        var index = 0
        func isLetter(_ s: Unicode.Scalar) -> Bool {
            switch s.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
            default: false
            }
        }
        func isNumber(_ s: Unicode.Scalar) -> Bool {
            switch s.properties.generalCategory {
            case .decimalNumber, .letterNumber, .otherNumber: true
            default: false
            }
        }
        func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "'" {
                let rest = String(String.UnicodeScalarView(scalars[index...].prefix(3)))
                if let contraction = ["'re", "'ve", "'ll", "'s", "'t", "'m", "'d"].first(where: { rest.hasPrefix($0) }) {
                    tokens.append(contraction)
                    index += contraction.unicodeScalars.count
                    continue
                }
            }
            var end = index + 1
            if isLetter(scalar) {
                while end < scalars.count, isLetter(scalars[end]) { end += 1 }
            } else if isNumber(scalar) {
                // One digit at a time.
            } else if isSpace(scalar) {
                index += 1
                continue
            } else {
                while end < scalars.count, !isLetter(scalars[end]), !isNumber(scalars[end]), !isSpace(scalars[end]) { end += 1 }
            }
            tokens.append(String(String.UnicodeScalarView(scalars[index..<end])))
            index = end
        }
        return tokens
    }

    /// Byte-pair merges of one word's symbols, lowest rank first; the last symbol ends in `</w>`.
    private func bpe(_ characters: [Character]) -> [String] {
        guard !characters.isEmpty else { return [] }
        var word = characters.map { String($0) }
        word[word.count - 1] += "</w>"
        while word.count > 1 {
            var best: (rank: Int, index: Int)?
            for i in 0..<(word.count - 1) {
                if let rank = ranks[Pair(first: word[i], second: word[i + 1])], rank < (best?.rank ?? .max) {
                    best = (rank, i)
                }
            }
            guard let best else { break }
            let first = word[best.index]
            let second = word[best.index + 1]
            var merged: [String] = []
            var i = 0
            while i < word.count {
                if i < word.count - 1, word[i] == first, word[i + 1] == second {
                    merged.append(first + second)
                    i += 2
                } else {
                    merged.append(word[i])
                    i += 1
                }
            }
            word = merged
        }
        return word
    }

    /// The byte values in GPT-2's order: the printable ones, then the rest.
    static func byteOrder() -> [Int] {
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        return printable + (0..<256).filter { !printable.contains($0) }
    }

    /// GPT-2's printable alphabet, indexed by byte value: printable bytes stand for themselves,
    /// the others for U+0100 onwards, in order.
    static func bytesToUnicode() -> [Character] {
        var table = [Character](repeating: " ", count: 256)
        var extra = 0
        for byte in byteOrder() {
            let printable = (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
            let code = printable ? byte : 256 + extra
            if !printable { extra += 1 }
            table[byte] = Character(Unicode.Scalar(UInt32(code))!)
        }
        return table
    }
}
