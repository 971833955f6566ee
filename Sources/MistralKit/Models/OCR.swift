import Foundation

/// `POST /v1/ocr`: a document (a PDF or an image, by URL, as a `data:` URL, or an uploaded file)
/// read into Markdown, page by page, by Mistral's OCR model.
public struct OCRRequest: Sendable, Hashable, Codable {
    public var model: String
    public var document: OCRDocument
    /// An id for the request, echoed by batch jobs.
    public var id: String?
    /// The pages to read (0-based); all when `nil`.
    public var pages: [Int]?
    public var includeImageBase64: Bool?
    public var imageLimit: Int?
    public var imageMinSize: Int?
    /// `markdown` or `html`.
    public var tableFormat: String?
    public var extractHeader: Bool?
    public var extractFooter: Bool?
    /// Structured annotations of each bounding box, in this format.
    public var bboxAnnotationFormat: ResponseFormat?
    /// A structured annotation of the whole document, in this format, guided by the prompt.
    public var documentAnnotationFormat: ResponseFormat?
    public var documentAnnotationPrompt: String?
    /// Whether pages carry their layout blocks.
    public var includeBlocks: Bool?
    /// `word`, `page` or `block`.
    public var confidenceScoresGranularity: String?

    public init(
        model: String = "mistral-ocr-latest", document: OCRDocument, id: String? = nil, pages: [Int]? = nil,
        includeImageBase64: Bool? = nil, imageLimit: Int? = nil, imageMinSize: Int? = nil, tableFormat: String? = nil,
        extractHeader: Bool? = nil, extractFooter: Bool? = nil, bboxAnnotationFormat: ResponseFormat? = nil,
        documentAnnotationFormat: ResponseFormat? = nil, documentAnnotationPrompt: String? = nil, includeBlocks: Bool? = nil,
        confidenceScoresGranularity: String? = nil
    ) {
        self.model = model
        self.document = document
        self.id = id
        self.pages = pages
        self.includeImageBase64 = includeImageBase64
        self.imageLimit = imageLimit
        self.imageMinSize = imageMinSize
        self.tableFormat = tableFormat
        self.extractHeader = extractHeader
        self.extractFooter = extractFooter
        self.bboxAnnotationFormat = bboxAnnotationFormat
        self.documentAnnotationFormat = documentAnnotationFormat
        self.documentAnnotationPrompt = documentAnnotationPrompt
        self.includeBlocks = includeBlocks
        self.confidenceScoresGranularity = confidenceScoresGranularity
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case model, document, id, pages
        case includeImageBase64 = "include_image_base64"
        case imageLimit = "image_limit"
        case imageMinSize = "image_min_size"
        case tableFormat = "table_format"
        case extractHeader = "extract_header"
        case extractFooter = "extract_footer"
        case bboxAnnotationFormat = "bbox_annotation_format"
        case documentAnnotationFormat = "document_annotation_format"
        case documentAnnotationPrompt = "document_annotation_prompt"
        case includeBlocks = "include_blocks"
        case confidenceScoresGranularity = "confidence_scores_granularity"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        document = try container.decode(OCRDocument.self, forKey: .document)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        pages = try container.decodeIfPresent([Int].self, forKey: .pages)
        includeImageBase64 = try container.decodeIfPresent(Bool.self, forKey: .includeImageBase64)
        imageLimit = try container.decodeIfPresent(Int.self, forKey: .imageLimit)
        imageMinSize = try container.decodeIfPresent(Int.self, forKey: .imageMinSize)
        tableFormat = try container.decodeIfPresent(String.self, forKey: .tableFormat)
        extractHeader = try container.decodeIfPresent(Bool.self, forKey: .extractHeader)
        extractFooter = try container.decodeIfPresent(Bool.self, forKey: .extractFooter)
        bboxAnnotationFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .bboxAnnotationFormat)
        documentAnnotationFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .documentAnnotationFormat)
        documentAnnotationPrompt = try container.decodeIfPresent(String.self, forKey: .documentAnnotationPrompt)
        includeBlocks = try container.decodeIfPresent(Bool.self, forKey: .includeBlocks)
        confidenceScoresGranularity = try container.decodeIfPresent(String.self, forKey: .confidenceScoresGranularity)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(document, forKey: .document)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(pages, forKey: .pages)
        try container.encodeIfPresent(includeImageBase64, forKey: .includeImageBase64)
        try container.encodeIfPresent(imageLimit, forKey: .imageLimit)
        try container.encodeIfPresent(imageMinSize, forKey: .imageMinSize)
        try container.encodeIfPresent(tableFormat, forKey: .tableFormat)
        try container.encodeIfPresent(extractHeader, forKey: .extractHeader)
        try container.encodeIfPresent(extractFooter, forKey: .extractFooter)
        try container.encodeIfPresent(bboxAnnotationFormat, forKey: .bboxAnnotationFormat)
        try container.encodeIfPresent(documentAnnotationFormat, forKey: .documentAnnotationFormat)
        try container.encodeIfPresent(documentAnnotationPrompt, forKey: .documentAnnotationPrompt)
        try container.encodeIfPresent(includeBlocks, forKey: .includeBlocks)
        try container.encodeIfPresent(confidenceScoresGranularity, forKey: .confidenceScoresGranularity)
    }
}

/// What an ``OCRRequest`` reads.
public enum OCRDocument: Sendable, Hashable, Codable {
    /// A document (PDF) at a URL, or in a `data:application/pdf;base64,...` URL.
    case documentURL(String, name: String? = nil)
    /// An image at a URL or in a `data:` URL.
    case imageURL(String)
    /// A file uploaded through the files API.
    case file(id: String)

    /// A PDF sent inline, as a base64 `data:` URL.
    public static func pdf(_ data: Data, name: String? = nil) -> OCRDocument {
        .documentURL("data:application/pdf;base64," + data.base64EncodedString(), name: name)
    }

    private enum CodingKeys: String, CodingKey {
        case type
        case documentURL = "document_url"
        case documentName = "document_name"
        case imageURL = "image_url"
        case fileID = "file_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "document_url":
            self = .documentURL(
                try container.decode(String.self, forKey: .documentURL), name: try container.decodeIfPresent(String.self, forKey: .documentName))
        case "image_url":
            if let url = try? container.decode(String.self, forKey: .imageURL) {
                self = .imageURL(url)
            } else {
                self = .imageURL(try container.decode(ImageURL.self, forKey: .imageURL).url)
            }
        case "file":
            self = .file(id: try container.decode(String.self, forKey: .fileID))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown document type '\(other)' (document_url, image_url or file)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .documentURL(let url, let name):
            try container.encode("document_url", forKey: .type)
            try container.encode(url, forKey: .documentURL)
            try container.encodeIfPresent(name, forKey: .documentName)
        case .imageURL(let url):
            try container.encode("image_url", forKey: .type)
            try container.encode(url, forKey: .imageURL)
        case .file(let id):
            try container.encode("file", forKey: .type)
            try container.encode(id, forKey: .fileID)
        }
    }

    private struct ImageURL: Decodable { var url: String }
}

/// The pages of an OCR'd document, as Markdown.
public struct OCRResponse: Sendable, Hashable, Codable {
    public var pages: [OCRPage]
    public var model: String
    public var documentAnnotation: String?
    public var usageInfo: OCRUsage?

    public init(pages: [OCRPage], model: String, documentAnnotation: String? = nil, usageInfo: OCRUsage? = nil) {
        self.pages = pages
        self.model = model
        self.documentAnnotation = documentAnnotation
        self.usageInfo = usageInfo
    }

    /// Every page's Markdown, in order, separated by blank lines.
    public var markdown: String { pages.sorted { $0.index < $1.index }.map(\.markdown).joined(separator: "\n\n") }

    private enum CodingKeys: String, CodingKey {
        case pages, model
        case documentAnnotation = "document_annotation"
        case usageInfo = "usage_info"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        pages = try container.decodeIfPresent([OCRPage].self, forKey: .pages) ?? []
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        documentAnnotation = try container.decodeIfPresent(String.self, forKey: .documentAnnotation)
        usageInfo = try container.decodeIfPresent(OCRUsage.self, forKey: .usageInfo)
    }
}

/// One page: its Markdown and, kept as received, its images, tables and layout details.
public struct OCRPage: Sendable, Hashable, Codable {
    public var index: Int
    public var markdown: String
    public var images: [JSONValue]
    public var tables: [JSONValue]
    public var hyperlinks: [String]
    public var header: String?
    public var footer: String?
    public var dimensions: JSONValue?

    public init(
        index: Int, markdown: String, images: [JSONValue] = [], tables: [JSONValue] = [], hyperlinks: [String] = [],
        header: String? = nil, footer: String? = nil, dimensions: JSONValue? = nil
    ) {
        self.index = index
        self.markdown = markdown
        self.images = images
        self.tables = tables
        self.hyperlinks = hyperlinks
        self.header = header
        self.footer = footer
        self.dimensions = dimensions
    }

    private enum CodingKeys: String, CodingKey { case index, markdown, images, tables, hyperlinks, header, footer, dimensions }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decodeIfPresent(Int.self, forKey: .index) ?? 0
        markdown = try container.decodeIfPresent(String.self, forKey: .markdown) ?? ""
        images = try container.decodeIfPresent([JSONValue].self, forKey: .images) ?? []
        tables = try container.decodeIfPresent([JSONValue].self, forKey: .tables) ?? []
        hyperlinks = try container.decodeIfPresent([String].self, forKey: .hyperlinks) ?? []
        header = try container.decodeIfPresent(String.self, forKey: .header)
        footer = try container.decodeIfPresent(String.self, forKey: .footer)
        dimensions = try container.decodeIfPresent(JSONValue.self, forKey: .dimensions)
    }
}

/// Pages processed (what OCR is billed by) and the document's size.
public struct OCRUsage: Sendable, Hashable, Codable {
    public var pagesProcessed: Int
    public var docSizeBytes: Int?

    public init(pagesProcessed: Int, docSizeBytes: Int? = nil) {
        self.pagesProcessed = pagesProcessed
        self.docSizeBytes = docSizeBytes
    }

    private enum CodingKeys: String, CodingKey {
        case pagesProcessed = "pages_processed"
        case docSizeBytes = "doc_size_bytes"
    }
}
