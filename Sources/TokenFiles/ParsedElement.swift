import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A parsed XML element: local name (namespaces resolved away), attributes, text and children.
/// PSKC files are small; a tree is simpler to walk than parser callbacks.
final class ParsedElement {
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

    /// Parses a whole document; nil when it is not well-formed XML or nests absurdly deep.
    static func parse(_ data: [UInt8]) -> ParsedElement? {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(data))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), !builder.tooDeep else { return nil }
        return builder.root
    }
}

/// Builds the tree from the parser's callbacks.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    static let maximumDepth = 32
    var root: ParsedElement?
    var stack: [ParsedElement] = []
    var tooDeep = false

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        guard stack.count < Self.maximumDepth else {
            tooDeep = true
            parser.abortParsing()
            return
        }
        let element = ParsedElement(name: elementName, attributes: attributes)
        if let parent = stack.last { parent.children.append(element) } else if root == nil { root = element }
        stack.append(element)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
    }
}
