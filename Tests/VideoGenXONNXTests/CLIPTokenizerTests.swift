import Foundation
import Testing
import VideoGenXONNX
import VideoGenXTestSupport

/// The Swift CLIP tokenizer against Hugging Face `tokenizers` (CLIPTokenizerFast's pipeline,
/// built from the same vocabulary file) on 1,000 prompts: English, contractions, Chinese,
/// emoji (with joiners and variation selectors), other scripts, and prompts past 77 tokens.
@Suite("CLIP tokenizer", .enabled(if: OnnxTestEnvironment.enabled), .timeLimit(.minutes(2)))
struct CLIPTokenizerTests {
    @Test("Token ids equal Hugging Face tokenizers' on 1,000 prompts, truncation and padding included")
    func parity() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-tokens-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        try await OnnxTestEnvironment.runTool("reference.py", ["tokens", OnnxTestEnvironment.vocabulary, out.path, "1000"])
        let cases = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [[String: Any]] ?? []
        #expect(cases.count == 1000)
        let tokenizer = try CLIPTokenizer(vocabulary: OnnxTestEnvironment.vocabulary)
        #expect(tokenizer.vocabularySize == 49408)
        var mismatches: [String] = []
        for entry in cases {
            let text = entry["text"] as? String ?? ""
            let want = entry["ids"] as? [Int] ?? []
            let got = tokenizer.encode(text)
            if got != want { mismatches.append("\(text.prefix(60)): \(got.prefix(12)) vs \(want.prefix(12))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) prompts differ, e.g. \(mismatches.prefix(3))")
        #expect(tokenizer.encode("a red fox running through snow").prefix(8) == [49406, 320, 736, 3240, 2761, 1417, 2583, 49407])
    }

    @Test("A vocabulary that is missing or not a CLIP merges file is refused by name")
    func badVocabulary() throws {
        #expect(throws: OnnxError.self) { try CLIPTokenizer(vocabulary: "/nonexistent/bpe.txt.gz") }
        let small = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-bpe-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: small) }
        try Data("#version: 0.2\na b\n".utf8).write(to: small)
        do {
            _ = try CLIPTokenizer(vocabulary: small.path)
            Issue.record("a two-line merges file was taken")
        } catch let error as OnnxError {
            #expect(error.code == "tokenizer_vocabulary" && error.message.contains(small.path))
        }
    }
}
