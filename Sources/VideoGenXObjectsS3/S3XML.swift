import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of an S3 XML answer (`ListBucketResult`, `InitiateMultipartUploadResult`,
/// `Error`, ...): name, text and children, namespaces ignored.
struct S3XML: Sendable {
    var name: String
    var text: String
    var children: [S3XML]

    /// The first child called `name`.
    func child(_ name: String) -> S3XML? { children.first { $0.name == name } }

    /// Every child called `name`.
    func children(_ name: String) -> [S3XML] { children.filter { $0.name == name } }

    /// The text of the first child called `name`.
    subscript(_ name: String) -> String? { child(name)?.text }

    /// Parses a document; `nil` when it is not XML.
    static func parse(_ bytes: [UInt8]) -> S3XML? {
        let builder = Builder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    /// Escapes text for an element's content.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [S3XML] = []
        var root: S3XML?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append(S3XML(name: name, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }
    }
}
