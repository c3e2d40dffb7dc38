internal import CXML2
import Foundation

/// A parsed XML element: local name (namespace prefixes dropped), attributes, text and children.
/// PSKC files are small; a tree is simpler to walk than parser callbacks. libxml2 reads them directly:
/// FoundationXML's XMLParser crashed on malformed input (a trap on element names that are not UTF-8, a NULL
/// dereference on a processing instruction without data), which an import must survive.
final class ParsedElement {
    static let maximumDepth = 32

    let name: String
    let attributes: [String: String]
    var text = ""
    var children: [ParsedElement] = []

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    func child(_ name: String) -> ParsedElement? { children.first { $0.name == name } }

    func all(_ name: String) -> [ParsedElement] { children.filter { $0.name == name } }

    /// The element at `path` below this one (`"Data/Secret/PlainValue"`).
    func at(_ path: String) -> ParsedElement? {
        path.split(separator: "/").reduce(Optional(self)) { $0?.child(String($1)) }
    }

    var trimmedText: String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Why XML cannot be read on this system (libxml2 missing), or nil.
    static var unavailableReason: String? { la_xml_load_error().map { String(cString: $0) } }

    /// Parses a whole document; nil when it is not well-formed XML or nests deeper than `maximumDepth`.
    /// No network, no external DTD, entities left unexpanded: a token file cannot reach outside itself.
    static func parse(_ data: [UInt8]) -> ParsedElement? {
        guard !data.isEmpty, data.count < Int(Int32.max) else { return nil }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document = data.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { la_xml_read_memory($0.baseAddress, Int32($0.count), options) }
        }
        guard let document else { return nil }
        defer { la_xml_free_doc(document) }
        return la_xml_doc_get_root_element(document).flatMap { element($0, depth: 1) }
    }

    private static func element(_ node: xmlNodePtr, depth: Int) -> ParsedElement? {
        guard depth <= maximumDepth, let name = node.pointee.name else { return nil }
        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            if let attributeName = current.pointee.name {
                attributes[String(cString: attributeName)] = text(of: current.pointee.children)
            }
            attribute = current.pointee.next
        }
        let element = ParsedElement(name: String(cString: name), attributes: attributes)
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE {
                guard let parsed = self.element(current, depth: depth + 1) else { return nil }
                element.children.append(parsed)
            } else if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE,
                let content = current.pointee.content
            {
                element.text += String(cString: content)
            }
            child = current.pointee.next
        }
        return element
    }

    /// The text nodes of an attribute's value, concatenated.
    private static func text(of first: xmlNodePtr?) -> String {
        var text = ""
        var node = first
        while let current = node {
            if let content = current.pointee.content { text += String(cString: content) }
            node = current.pointee.next
        }
        return text
    }
}
