/// Breaks subtitle text for languages written without spaces. libass wraps only at spaces (the
/// Debian build has no libunibreak), so a Chinese or Japanese line would run off the frame;
/// this inserts line breaks between wide (CJK) characters where an estimate of the line's width
/// passes the limit, and leaves spaced text to libass, which measures it exactly.
///
/// The estimate: a wide character is one em (true for CJK fonts), anything else 0.55 em (a
/// typical sans-serif average). Line-start rules: closing punctuation never begins a line.
struct SubtitleLineBreaker: Sendable {
    /// Font size in pixels (one em).
    var fontSize: Double
    /// Widest line in pixels.
    var maxWidth: Double

    /// `text` with `\n` inserted where a line of wide characters would pass ``maxWidth``.
    func breakLines(_ text: String) -> String {
        var output = ""
        var width = 0.0
        for character in text {
            if character == "\n" {
                output.append(character)
                width = 0
                continue
            }
            let advance = Self.isWide(character) ? fontSize : fontSize * 0.55
            if Self.isWide(character), width + advance > maxWidth, width > 0, !Self.closing.contains(character) {
                output.append("\n")
                width = 0
            }
            if character == " " && width == 0 && output.last == "\n" {
                continue
            }
            output.append(character)
            width += advance
        }
        return output
    }

    /// Punctuation that must not start a line (kinsoku shori, simplified).
    static let closing: Set<Character> = ["，", "。", "！", "？", "、", "；", "：", "）", "」", "』", "】", "》", "〉", "…", "・", "ー", ",", ".", "!", "?", ")"]

    /// Whether `character` is a wide East Asian character (ideographs, kana, hangul, fullwidth forms).
    static func isWide(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first?.value else { return false }
        switch scalar {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
